import { randomUUID } from 'node:crypto';
import { RESOURCE_KINDS } from '../../src/modules/resources/resource-kind';
import {
  addMembership,
  createMember,
  createOrganization,
  TestOrganization,
} from '../factories/organizations.factory';
import { addCollaborator, insertResource, segmentOf } from '../factories/resources.factory';
import { createPlatformAdmin, createUser, TestUser } from '../factories/users.factory';
import { TestApp } from '../support/test-app';
import { HttpCall, Probe } from './permission-matrix';

/** Callers by their relation to the organization O, as in organization-matrix.csv. */
export const ORGANIZATION_CALLERS = ['P', 'A', 'M', 'W', 'E', 'N', 'X'] as const;
export type OrganizationCaller = (typeof ORGANIZATION_CALLERS)[number];

export interface ResourceOrganizationWorld {
  t: TestApp;
  organization: TestOrganization;
  other: TestOrganization;
  callers: Record<Exclude<OrganizationCaller, 'X'>, TestUser>;
  deletedUserToken: string;
}

export async function buildResourceOrganizationWorld(t: TestApp): Promise<ResourceOrganizationWorld> {
  const organization = await createOrganization(t);
  const other = await createOrganization(t);
  const workforceOrganization = await createOrganization(t, { isWorkforce: true });
  const member = await createMember(t, organization.id, 'member');
  const workforce = await createMember(t, workforceOrganization.id, 'member');
  await addMembership(t, organization.id, workforce, 'workforce');
  const external = await createMember(t, organization.id, 'external');
  const callers = {
    P: await createPlatformAdmin(t),
    A: organization.admin,
    M: member,
    W: workforce,
    E: external,
    N: await createMember(t, other.id, 'member'),
  };
  // Something in every list: each caller of O holds a role on one resource of each kind.
  for (const kind of RESOURCE_KINDS) {
    const id = await insertResource(t, { kind, ownerId: member.id, organizationId: organization.id });
    for (const user of [workforce, external])
      await addCollaborator(t, id, user.id, kind === 'project' ? 'annotator' : 'user');
  }
  const deleted = await createUser(t);
  await t.sql('delete from users where id = ?', [deleted.id]);
  return { t, organization, other, callers, deletedUserToken: deleted.token };
}

export function resourceOrganizationCredentials(
  w: ResourceOrganizationWorld,
  caller: OrganizationCaller,
): (string | undefined)[] {
  if (caller === 'X') return [undefined, `not-a-jwt.${randomUUID()}`, w.deletedUserToken];
  return [w.callers[caller].token];
}

const get = (url: string): HttpCall => ({ method: 'GET', url });
const post = (url: string): HttpCall => ({ method: 'POST', url });

/** The calls of resource-organization-matrix.csv, for the three kinds. */
export const RESOURCE_ORGANIZATION_PROBES: Record<string, Probe<ResourceOrganizationWorld>[]> = {
  'resources.list': RESOURCE_KINDS.map((kind) => ({
    route: `GET /organizations/{orgId}/${segmentOf(kind)}`,
    okStatus: 200,
    call: (w: ResourceOrganizationWorld) =>
      get(`/organizations/${w.organization.id}/${segmentOf(kind)}?owner=me&q=e`),
  })),
  'resources.join': RESOURCE_KINDS.map((kind) => ({
    route: `POST /organizations/{orgId}/${segmentOf(kind)}/{id}/join`,
    okStatus: 200,
    call: async (w: ResourceOrganizationWorld) => {
      const id = await insertResource(w.t, {
        kind,
        ownerId: w.callers.M.id,
        organizationId: w.organization.id,
      });
      return post(`/organizations/${w.organization.id}/${segmentOf(kind)}/${id}/join`);
    },
    crossTenant: async (w: ResourceOrganizationWorld) => {
      const id = await insertResource(w.t, { kind, ownerId: w.other.admin.id, organizationId: w.other.id });
      return post(`/organizations/${w.organization.id}/${segmentOf(kind)}/${id}/join`);
    },
  })),
};
