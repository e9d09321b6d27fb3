import { randomBytes } from 'node:crypto';
import { TestApp } from '../support/test-app';
import { TestUser } from './users.factory';

/** A service account made through the API, with one API key: `token` is the key, usable as any caller's token. */
export interface TestServiceAccount extends TestUser {
  type: 'admin' | 'member';
  keyId: string;
}

export const serviceAccountsUrl = (org: { id: string }) => `/organizations/${org.id}/service-accounts`;
export const keysUrl = (org: { id: string }, account: { id: string }) =>
  `${serviceAccountsUrl(org)}/${account.id}/keys`;

export async function createServiceAccount(
  t: TestApp,
  org: { id: string; admin: TestUser },
  type: 'admin' | 'member' = 'member',
  options: { name?: string; expiresAt?: string } = {},
): Promise<TestServiceAccount> {
  const name = options.name ?? `Robot ${randomBytes(4).toString('hex')}`;
  const account = await t.post(serviceAccountsUrl(org), { name, type }, org.admin.token);
  if (account.status !== 201)
    throw new Error(`create service account failed: ${JSON.stringify(account.body)}`);
  const key = await t.post(
    keysUrl(org, account.body),
    { name: 'first', ...(options.expiresAt ? { expiresAt: options.expiresAt } : {}) },
    org.admin.token,
  );
  if (key.status !== 201) throw new Error(`create API key failed: ${JSON.stringify(key.body)}`);
  return {
    id: account.body.id,
    email: account.body.email,
    name,
    type,
    token: key.body.secret,
    keyId: key.body.id,
  };
}
