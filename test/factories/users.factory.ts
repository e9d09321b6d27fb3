import { randomBytes } from 'node:crypto';
import { hashPassword } from '../../src/modules/auth/password-hasher';
import { TestApp } from '../support/test-app';

export interface TestUser {
  id: string;
  email: string;
  name: string;
  token: string;
}

export const DEFAULT_PASSWORD = 'correct horse battery';
let passwordHash: Promise<string> | undefined;
const unique = () => randomBytes(4).toString('hex');

export const uniqueEmail = (domain = 'example.test') => `user-${unique()}@${domain}`;
export const uniqueName = (prefix: string) => `${prefix} ${unique()}`;

/**
 * A verified, active user written straight to the database, with a token: one line per caller.
 * `verified: false` writes an account that never verified, so it has no password (the database
 * refuses a password on an unverified email).
 */
export async function createUser(
  t: TestApp,
  options: { email?: string; name?: string; platformAdmin?: boolean; verified?: boolean } = {},
): Promise<TestUser> {
  passwordHash ??= hashPassword(DEFAULT_PASSWORD);
  const email = (options.email ?? uniqueEmail()).toLowerCase();
  const name = options.name ?? uniqueName('User');
  const [row] = await t.sql<{ id: string }>(
    `insert into users (id, email, name, password_hash, email_verified_at, is_platform_admin, created_at)
     values (gen_random_uuid(), ?, ?, ?, ${options.verified === false ? 'null' : 'now()'}, ?, now()) returning id`,
    [email, name, options.verified === false ? null : await passwordHash, options.platformAdmin ?? false],
  );
  return { id: row.id, email, name, token: t.tokenFor(row.id) };
}

export const createPlatformAdmin = (t: TestApp) =>
  createUser(t, { platformAdmin: true, name: uniqueName('Operator') });

/** The whole public path: sign up, open the mailed link's token, verify, log in. */
export async function signUpThroughApi(
  t: TestApp,
  options: { email?: string; name?: string; password?: string } = {},
): Promise<TestUser & { verifyResponse: any }> {
  const email = (options.email ?? uniqueEmail()).toLowerCase();
  const name = options.name ?? uniqueName('Signed');
  const password = options.password ?? DEFAULT_PASSWORD;
  const signup = await t.post('/auth/signup', { email, password, name });
  if (signup.status !== 201) throw new Error(`signup failed: ${JSON.stringify(signup.body)}`);
  const verifyResponse = await t.post('/auth/verify-email', { token: await mailedToken(t, email) });
  if (verifyResponse.status !== 200) throw new Error(`verify failed: ${JSON.stringify(verifyResponse.body)}`);
  const login = await t.post('/auth/login', { email, password });
  if (login.status !== 200) throw new Error(`login failed: ${JSON.stringify(login.body)}`);
  return {
    id: signup.body.user.id,
    email,
    name,
    token: login.body.accessToken,
    verifyResponse: verifyResponse.body,
  };
}

/** The token of the newest mail's link to that page: `verify-email` (the default) or `reset-password`. */
export async function mailedToken(
  t: TestApp,
  email: string,
  page: 'verify-email' | 'reset-password' = 'verify-email',
): Promise<string> {
  const mail = await t.lastMailTo(email);
  const match = new RegExp(`${page}\\?token=([A-Za-z0-9_-]+)`).exec(mail.text);
  if (!match) throw new Error(`no ${page} link in the mail`);
  return match[1];
}
