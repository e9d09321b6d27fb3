import { randomBytes } from 'node:crypto';
import type { MembershipType } from '../../src/policy/vocabulary';
import { TestApp } from '../support/test-app';
import { createPlatformAdmin, createUser, TestUser } from './users.factory';

export interface TestOrganization {
  id: string;
  name: string;
  domains: string[];
  isWorkforce: boolean;
  admin: TestUser;
}

/** An organization made through the platform API, with one admin who has an account. */
export async function createOrganization(
  t: TestApp,
  options: { name?: string; domains?: string[]; isWorkforce?: boolean; admin?: TestUser } = {},
): Promise<TestOrganization> {
  const suffix = randomBytes(4).toString('hex');
  const operator = await createPlatformAdmin(t);
  const admin = options.admin ?? (await createUser(t, { name: `Admin ${suffix}` }));
  const response = await t.post(
    '/platform/organizations',
    {
      name: options.name ?? `Org ${suffix}`,
      domains: options.domains ?? [`org-${suffix}.test`],
      adminEmails: [admin.email],
      isWorkforce: options.isWorkforce ?? false,
    },
    operator.token,
  );
  if (response.status !== 201)
    throw new Error(`create organization failed: ${JSON.stringify(response.body)}`);
  return { ...response.body, admin };
}

/** A user with a membership of the given type, written straight to the database. */
export async function addMembership(
  t: TestApp,
  organizationId: string,
  user: TestUser,
  type: MembershipType,
): Promise<TestUser> {
  await t.sql(
    `insert into memberships (id, organization_id, user_id, type, created_at) values (gen_random_uuid(), ?, ?, ?, clock_timestamp())`,
    [organizationId, user.id, type],
  );
  return user;
}

export async function createMember(
  t: TestApp,
  organizationId: string,
  type: MembershipType,
  name?: string,
): Promise<TestUser> {
  return addMembership(t, organizationId, await createUser(t, name ? { name } : {}), type);
}

export const membersUrl = (org: { id: string }) => `/organizations/${org.id}/members`;
export const memberUrl = (org: { id: string }, user: { id: string }) =>
  `/organizations/${org.id}/members/${user.id}`;

/** The user's membership type in the organization, or null when they have none. */
export async function membershipTypeOf(
  t: TestApp,
  org: { id: string },
  user: { id: string },
): Promise<string | null> {
  const [row] = await t.sql<{ type: string }>(
    `select type from memberships where organization_id = ? and user_id = ?`,
    [org.id, user.id],
  );
  return row?.type ?? null;
}

export async function adminCount(t: TestApp, org: { id: string }): Promise<number> {
  const [row] = await t.sql<{ count: number }>(
    `select count(*)::int as count from memberships where organization_id = ? and type = 'admin'`,
    [org.id],
  );
  return row.count;
}
