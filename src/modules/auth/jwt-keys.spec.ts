import { createHmac } from 'node:crypto';
import * as jwt from 'jsonwebtoken';
import { AppConfig } from '../../config/app-config';
import { JwtKeys } from './jwt-keys';

const SECRET = 'jwt-keys-spec-secret-0123456789abcdef';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = Math.floor(Date.now() / 1000);

/** A token signed by hand, so that headers and claims jsonwebtoken would never write can be tried. */
function handSigned(header: unknown, claims: unknown, secret = SECRET, algorithm = 'sha256'): string {
  const unsigned = `${b64(header)}.${b64(claims)}`;
  return `${unsigned}.${createHmac(algorithm, secret).update(unsigned).digest('base64url')}`;
}

const valid = (extra: Record<string, unknown> = {}) => ({
  sub: '9b2a3c1e-0000-4000-8000-000000000001',
  ver: 0,
  iss: JwtKeys.ISSUER,
  aud: JwtKeys.AUDIENCE,
  iat: now,
  exp: now + 600,
  ...extra,
});

describe(JwtKeys.name, () => {
  const sut = new JwtKeys({ JWT_SECRET: SECRET } as AppConfig);

  it('accepts a token as login signs it (jsonwebtoken, HS256, issuer, audience, expiry)', () => {
    const token = jwt.sign({ sub: 'u', ver: 3 }, SECRET, {
      algorithm: 'HS256',
      issuer: JwtKeys.ISSUER,
      audience: JwtKeys.AUDIENCE,
      expiresIn: 600,
    });
    expect(sut.verify(token)).toMatchObject({ sub: 'u', ver: 3 });
  });

  it('accepts an audience list that names this API', () => {
    expect(
      sut.verify(handSigned({ alg: 'HS256' }, valid({ aud: ['other', JwtKeys.AUDIENCE] }))),
    ).toBeDefined();
  });

  it.each([
    [
      'another secret',
      handSigned({ alg: 'HS256', typ: 'JWT' }, valid(), 'another-secret-another-secret-123'),
    ],
    ['alg none', `${b64({ alg: 'none', typ: 'JWT' })}.${b64(valid())}.`],
    ['alg HS512 with the same secret', handSigned({ alg: 'HS512' }, valid(), SECRET, 'sha512')],
    ['alg HS256 header over an HS512 signature', handSigned({ alg: 'HS256' }, valid(), SECRET, 'sha512')],
    ['no alg', handSigned({ typ: 'JWT' }, valid())],
    ['expired', handSigned({ alg: 'HS256' }, valid({ exp: now - 1 }))],
    ['expiring this second', handSigned({ alg: 'HS256' }, valid({ exp: now }))],
    ['a text expiry', handSigned({ alg: 'HS256' }, valid({ exp: String(now + 600) }))],
    ['not active yet', handSigned({ alg: 'HS256' }, valid({ nbf: now + 60 }))],
    ['a text not-before', handSigned({ alg: 'HS256' }, valid({ nbf: String(now - 60) }))],
    ['another issuer', handSigned({ alg: 'HS256' }, valid({ iss: 'other' }))],
    ['no issuer', handSigned({ alg: 'HS256' }, valid({ iss: undefined }))],
    ['another audience', handSigned({ alg: 'HS256' }, valid({ aud: 'other' }))],
    ['no audience', handSigned({ alg: 'HS256' }, valid({ aud: undefined }))],
    ['a payload that is no object', handSigned({ alg: 'HS256' }, [valid()])],
    ['two parts', b64({ alg: 'HS256' }) + '.' + b64(valid())],
    ['four parts', handSigned({ alg: 'HS256' }, valid()) + '.x'],
  ])('refuses %s', (_name, token) => {
    expect(sut.verify(token)).toBeUndefined();
  });

  it('refuses a signature written another way (padded) or a tampered payload', () => {
    const token = handSigned({ alg: 'HS256' }, valid());
    expect(sut.verify(`${token}=`)).toBeUndefined();
    const [header, , signature] = token.split('.');
    expect(sut.verify(`${header}.${b64(valid({ sub: 'someone else' }))}.${signature}`)).toBeUndefined();
  });

  it('agrees with jsonwebtoken on every token above', () => {
    const verifyWithJsonwebtoken = (token: string) => {
      try {
        return jwt.verify(token, SECRET, {
          algorithms: ['HS256'],
          issuer: JwtKeys.ISSUER,
          audience: JwtKeys.AUDIENCE,
        });
      } catch {
        return undefined;
      }
    };
    const tokens = [
      handSigned({ alg: 'HS256', typ: 'JWT' }, valid()),
      handSigned({ alg: 'HS256' }, valid({ exp: now - 1 })),
      handSigned({ alg: 'HS256' }, valid({ nbf: now + 60 })),
      handSigned({ alg: 'HS256' }, valid({ aud: ['x', JwtKeys.AUDIENCE] })),
      handSigned({ alg: 'HS512' }, valid(), SECRET, 'sha512'),
      `${b64({ alg: 'none' })}.${b64(valid())}.`,
      handSigned({ alg: 'HS256' }, valid({ iss: 'other' })),
    ];
    for (const token of tokens) expect(sut.verify(token)).toEqual(verifyWithJsonwebtoken(token));
  });
});
