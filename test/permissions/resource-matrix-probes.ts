import { randomBytes, randomUUID } from 'node:crypto';
import { ResourceKind } from '../../src/policy/vocabulary';
import { createGroup } from '../factories/groups.factory';
import {
  addCollaborator,
  giveGroupRole,
  insertNotification,
  segmentOf,
} from '../factories/resources.factory';
import { createUser, uniqueEmail } from '../factories/users.factory';
import { HttpCall, Probe } from './permission-matrix';
import { freshResource, holderOf, plainRole, ResourceWorld } from './resource-matrix-world';

type ResourceProbe = Probe<ResourceWorld>;

const unique = () => randomBytes(4).toString('hex');
const get = (url: string): HttpCall => ({ method: 'GET', url });
const post = (url: string, body: unknown): HttpCall => ({ method: 'POST', url, body });
const put = (url: string, body: unknown): HttpCall => ({ method: 'PUT', url, body });
const patch = (url: string, body: unknown): HttpCall => ({ method: 'PATCH', url, body });
const del = (url: string): HttpCall => ({ method: 'DELETE', url });

/** A fresh R and its path. */
const freshPath = async (w: ResourceWorld) => `/${w.segment}/${await freshResource(w)}`;

/** A fresh R with one more collaborator of `role`, the target of a role change or a removal. */
async function freshWithCollaborator(w: ResourceWorld, role: 'admin' | 'plain') {
  const resourceId = await freshResource(w);
  const target = await createUser(w.t);
  await addCollaborator(w.t, resourceId, target.id, role === 'admin' ? 'admin' : plainRole(w.kind));
  return { path: `/${w.segment}/${resourceId}`, userId: target.id };
}

/** The HTTP calls that perform each action of resource-matrix.csv for one kind, by row id. */
export function resourceProbes(kind: ResourceKind): Record<string, ResourceProbe[]> {
  const segment = `/${segmentOf(kind)}`;
  const route = (method: string, rest = '') => `${method} ${segment}/{id}${rest}`;
  const role = plainRole(kind);

  const probes: Record<string, ResourceProbe[]> = {
    'resource.read': [{ route: route('GET'), okStatus: 200, call: async (w) => get(await freshPath(w)) }],

    'resource.update': [
      {
        route: route('PATCH'),
        okStatus: 200,
        call: async (w) =>
          patch(await freshPath(w), {
            title: `Renamed ${unique()}`,
            description: 'probe',
            ...(kind === 'ontology' ? { structure: { classes: [] } } : {}),
          }),
      },
    ],

    'resource.delete': [
      { route: route('DELETE'), okStatus: 204, call: async (w) => del(await freshPath(w)) },
    ],

    'collaborators.read': [
      {
        route: route('GET', '/collaborators'),
        okStatus: 200,
        call: async (w) => get(`${await freshPath(w)}/collaborators`),
      },
    ],

    'collaborators.invite': [
      {
        route: route('POST', '/collaborators'),
        okStatus: 201,
        call: async (w) => post(`${await freshPath(w)}/collaborators`, { emails: [uniqueEmail()], role }),
      },
    ],

    'collaborators.grant-admin': [
      {
        route: route('POST', '/collaborators'),
        okStatus: 201,
        call: async (w) =>
          post(`${await freshPath(w)}/collaborators`, { emails: [uniqueEmail()], role: 'admin' }),
      },
      {
        route: route('PATCH', '/collaborators/{userId}'),
        okStatus: 200,
        call: async (w) => {
          const { path, userId } = await freshWithCollaborator(w, 'plain');
          return patch(`${path}/collaborators/${userId}`, { role: 'admin' });
        },
      },
    ],

    'collaborators.change': [
      {
        route: route('PATCH', '/collaborators/{userId}'),
        okStatus: 200,
        call: async (w) => {
          const { path, userId } = await freshWithCollaborator(w, 'plain');
          return patch(`${path}/collaborators/${userId}`, { role: kind === 'project' ? 'reviewer' : 'user' });
        },
        crossTenant: async (w) =>
          patch(`${await freshPath(w)}/collaborators/${w.foreign.userId}`, { role: role }),
      },
      {
        route: route('DELETE', '/collaborators/{userId}'),
        okStatus: 204,
        call: async (w) => {
          const { path, userId } = await freshWithCollaborator(w, 'plain');
          return del(`${path}/collaborators/${userId}`);
        },
        crossTenant: async (w) => del(`${await freshPath(w)}/collaborators/${w.foreign.userId}`),
      },
    ],

    'collaborators.change-admin': [
      {
        route: route('PATCH', '/collaborators/{userId}'),
        okStatus: 200,
        call: async (w) => {
          const { path, userId } = await freshWithCollaborator(w, 'admin');
          return patch(`${path}/collaborators/${userId}`, { role });
        },
      },
      {
        route: route('DELETE', '/collaborators/{userId}'),
        okStatus: 204,
        call: async (w) => {
          const { path, userId } = await freshWithCollaborator(w, 'admin');
          return del(`${path}/collaborators/${userId}`);
        },
      },
    ],

    'collaborators.leave': [
      {
        route: route('DELETE', '/collaborators/{userId}'),
        okStatus: 204,
        call: async (w, token) => {
          const resourceId = await freshResource(w);
          // A second direct admin, so that an admin who leaves is not the last one.
          await addCollaborator(w.t, resourceId, (await createUser(w.t)).id, 'admin');
          // Leaving removes one's direct role: those holding theirs through a group (and the platform
          // admin, who holds none) are given one first.
          const holder = holderOf(w, token);
          if (holder && !holder.direct) await addCollaborator(w.t, resourceId, holder.user.id, holder.role);
          const self = [w.organization.admin, ...w.nobody].find((user) => user.token === token);
          const userId = holder?.user.id ?? self?.id ?? randomUUID();
          return del(`/${w.segment}/${resourceId}/collaborators/${userId}`);
        },
      },
    ],

    'groups.manage': [
      {
        route: route('POST', '/groups'),
        okStatus: 201,
        call: async (w) => {
          const group = await createGroup(w.t, w.organization.id);
          return post(`${await freshPath(w)}/groups`, { groupId: group.id, role });
        },
      },
      {
        route: route('DELETE', '/groups/{groupId}'),
        okStatus: 204,
        call: async (w) => {
          const resourceId = await freshResource(w);
          const group = await createGroup(w.t, w.organization.id);
          await giveGroupRole(w.t, resourceId, group.id, role);
          return del(`/${w.segment}/${resourceId}/groups/${group.id}`);
        },
        crossTenant: async (w) => del(`${await freshPath(w)}/groups/${w.foreign.groupId}`),
      },
    ],
  };

  if (kind !== 'project') return probes;

  probes['links.manage'] = [
    {
      route: 'POST /projects/{id}/datasets',
      okStatus: 201,
      call: async (w) => post(`${await freshPath(w)}/datasets`, { datasetId: w.sharedDataset }),
    },
    {
      route: 'DELETE /projects/{id}/datasets/{datasetId}',
      okStatus: 204,
      call: async (w) => {
        const projectId = await freshResource(w);
        await w.t.sql(
          `insert into project_datasets (id, project_id, dataset_id, created_at) values (gen_random_uuid(), ?, ?, now())`,
          [projectId, w.sharedDataset],
        );
        return del(`/projects/${projectId}/datasets/${w.sharedDataset}`);
      },
    },
    {
      route: 'PUT /projects/{id}/ontology',
      okStatus: 200,
      call: async (w) => put(`${await freshPath(w)}/ontology`, { ontologyId: w.sharedOntology }),
    },
  ];

  probes['notifications.manage'] = [
    {
      route: 'GET /projects/{id}/notifications',
      okStatus: 200,
      call: async (w) => get(`${await freshPath(w)}/notifications`),
    },
    {
      route: 'POST /projects/{id}/notifications',
      okStatus: 201,
      call: async (w) =>
        post(`${await freshPath(w)}/notifications`, {
          name: `Probe ${unique()}`,
          events: ['task.submitted'],
          recipientEmails: [uniqueEmail()],
        }),
    },
    {
      route: 'DELETE /projects/{id}/notifications/{notificationId}',
      okStatus: 204,
      call: async (w) => {
        const projectId = await freshResource(w);
        const notification = await insertNotification(w.t, projectId);
        return del(`/projects/${projectId}/notifications/${notification.id}`);
      },
      crossTenant: async (w) => del(`${await freshPath(w)}/notifications/${w.foreign.notificationId}`),
    },
  ];
  probes['tags.manage'] = [
    {
      route: 'POST /projects/{id}/tags',
      okStatus: 201,
      call: async (w) => post(`${await freshPath(w)}/tags`, { tagId: w.tagId }),
    },
    {
      route: 'DELETE /projects/{id}/tags/{tagId}',
      okStatus: 204,
      call: async (w) => {
        const projectId = await freshResource(w);
        await w.t.sql(
          `insert into project_tags (id, project_id, tag_id, organization_id, created_at) values (gen_random_uuid(), ?, ?, ?, now())`,
          [projectId, w.tagId, w.organization.id],
        );
        return del(`/projects/${projectId}/tags/${w.tagId}`);
      },
      crossTenant: async (w) => del(`${await freshPath(w)}/tags/${w.foreign.tagId}`),
    },
  ];
  return probes;
}
