import { RESOURCE_KINDS } from '../../src/policy/vocabulary';
import { addCollaborator, insertResource, segmentOf } from '../factories/resources.factory';
import { TestApp } from '../support/test-app';
import { buildOrganizationWorld, OrganizationWorld } from './organization-world';
import { HttpCall, Probe } from './permission-matrix';

/** The organization world of organization-matrix.csv (same O, same callers), with something in every list. */
export type ResourceOrganizationWorld = OrganizationWorld;

export async function buildResourceOrganizationWorld(t: TestApp): Promise<ResourceOrganizationWorld> {
  const world = await buildOrganizationWorld(t);
  const { M: member, W: workforce, E: external } = world.callers;
  // Something in every list: each caller of O holds a role on one resource of each kind.
  for (const kind of RESOURCE_KINDS) {
    const { id } = await insertResource(t, {
      kind,
      ownerId: member.id,
      organizationId: world.organization.id,
    });
    for (const user of [workforce, external])
      await addCollaborator(t, id, user.id, kind === 'project' ? 'annotator' : 'user');
  }
  return world;
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
      const { id } = await insertResource(w.t, {
        kind,
        ownerId: w.callers.M.id,
        organizationId: w.organization.id,
      });
      return post(`/organizations/${w.organization.id}/${segmentOf(kind)}/${id}/join`);
    },
    crossTenant: async (w: ResourceOrganizationWorld) => {
      const { id } = await insertResource(w.t, {
        kind,
        ownerId: w.other.admin.id,
        organizationId: w.other.id,
      });
      return post(`/organizations/${w.organization.id}/${segmentOf(kind)}/${id}/join`);
    },
  })),
};
