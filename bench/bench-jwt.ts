import { createHmac } from 'node:crypto';

const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An access token as the service issues it (HS256, its issuer and audience), valid for two hours. */
export function signAccessToken(userId: string, secret: string): string {
  const now = Math.floor(Date.now() / 1000);
  const unsigned = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({
    sub: userId,
    ver: 0, // the credential version of a user whose password never changed
    iss: 'orgs-access-service',
    aud: 'orgs-access-api',
    iat: now,
    exp: now + 7200,
  })}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}
