import { randomBytes, randomUUID } from 'node:crypto';
import { createGroup, TestGroup } from '../factories/groups.factory';
import {
  addMembership,
  createMember,
  createOrganization,
  TestOrganization,
} from '../factories/organizations.factory';
import { createPlatformAdmin, createUser, TestUser } from '../factories/users.factory';
import { TestApp } from '../support/test-app';

/** Callers by their relation to the organization O (permissions.md). */
export const ORGANIZATION_CALLERS = ['P', 'A', 'M', 'W', 'E', 'N', 'X'] as const;
export type OrganizationCaller = (typeof ORGANIZATION_CALLERS)[number];
type SignedInCaller = Exclude<OrganizationCaller, 'X'>;

/** The organization O under test, its callers, and a second organization B whose ids must never be served through O. */
export interface OrganizationWorld {
  t: TestApp;
  organization: TestOrganization;
  other: TestOrganization;
  workforceOrganization: TestOrganization;
  callers: Record<SignedInCaller, TestUser>;
  /** A group of O with M in it. */
  group: TestGroup;
  /** A group of B, and a user who is only in B. */
  otherGroup: TestGroup;
  otherUser: TestUser;
  /** A correctly signed token whose user no longer exists. */
  deletedUserToken: string;
}

export async function buildOrganizationWorld(t: TestApp): Promise<OrganizationWorld> {
  const organization = await createOrganization(t);
  const other = await createOrganization(t);
  const workforceOrganization = await createOrganization(t, { isWorkforce: true });
  const member = await createMember(t, organization.id, 'member', 'Matrix Member');
  // A real workforce user: internal in a workforce organization, workforce in O.
  const workforce = await createMember(t, workforceOrganization.id, 'member', 'Matrix Workforce');
  await addMembership(t, organization.id, workforce, 'workforce');
  const external = await createMember(t, organization.id, 'external', 'Matrix External');
  // N is internal elsewhere (in B): signed in, known to the platform, nothing in O.
  const outsider = await createMember(t, other.id, 'member', 'Matrix Outsider');
  const otherUser = await createMember(t, other.id, 'member', 'Other Member');
  const deleted = await createUser(t);
  await t.sql(`delete from users where id = ?`, [deleted.id]);
  return {
    t,
    organization,
    other,
    workforceOrganization,
    callers: {
      P: await createPlatformAdmin(t),
      A: organization.admin,
      M: member,
      W: workforce,
      E: external,
      N: outsider,
    },
    group: await createGroup(t, organization.id, { memberIds: [member.id] }),
    otherGroup: await createGroup(t, other.id, { memberIds: [otherUser.id] }),
    otherUser,
    deletedUserToken: deleted.token,
  };
}

/**
 * X tries no token, a token that is not a JWT, a valid signature for a user who is gone, and a
 * well-formed API key that no service account holds.
 */
export function organizationCredentials(
  world: OrganizationWorld,
  caller: OrganizationCaller,
): (string | undefined)[] {
  if (caller === 'X')
    return [
      undefined,
      `not-a-jwt.${randomUUID()}`,
      world.deletedUserToken,
      `oak_unknownkey00_${randomBytes(32).toString('base64url')}`,
    ];
  return [world.callers[caller].token];
}
