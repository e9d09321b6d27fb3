import { randomBytes } from 'node:crypto';
import { createGroup } from '../factories/groups.factory';
import { createMember } from '../factories/organizations.factory';
import { createTag } from '../factories/resources.factory';
import { createServiceAccount, keysUrl, serviceAccountsUrl } from '../factories/service-accounts.factory';
import { uniqueEmail } from '../factories/users.factory';
import { HttpCall, Probe } from './permission-matrix';
import { OrganizationWorld } from './organization-world';

type OrganizationProbe = Probe<OrganizationWorld>;

const unique = () => randomBytes(4).toString('hex');
const get = (url: string): HttpCall => ({ method: 'GET', url });
const post = (url: string, body: unknown): HttpCall => ({ method: 'POST', url, body });
const patch = (url: string, body: unknown): HttpCall => ({ method: 'PATCH', url, body });
const del = (url: string): HttpCall => ({ method: 'DELETE', url });
const orgPath = (w: OrganizationWorld) => `/organizations/${w.organization.id}`;

/** A user made a fresh admin of O, so that O keeps other admins whatever the probe does to this one. */
const freshAdmin = (w: OrganizationWorld) => createMember(w.t, w.organization.id, 'admin');
const freshMember = (w: OrganizationWorld) => createMember(w.t, w.organization.id, 'member');

async function freshOrganization(w: OrganizationWorld): Promise<{ id: string; domain: string }> {
  const domain = `probe-${unique()}.test`;
  const [row] = await w.t.sql<{ id: string }>(
    `insert into organizations (id, name, is_workforce, created_at) values (gen_random_uuid(), ?, false, now()) returning id`,
    [`Probe ${unique()}`],
  );
  await w.t.sql(
    `insert into organization_domains (id, organization_id, domain, created_at) values (gen_random_uuid(), ?, ?, now())`,
    [row.id, domain],
  );
  return { id: row.id, domain };
}

/** A service account of O (or of B for the cross-tenant calls), with one key, made by that organization's admin. */
const freshServiceAccount = (w: OrganizationWorld, organization = w.organization) =>
  createServiceAccount(w.t, organization);
const accountPath = (w: OrganizationWorld, account: { id: string }) =>
  `${serviceAccountsUrl(w.organization)}/${account.id}`;

/** An invited person (no account) with a membership of O and its pending invitation; its id. */
async function freshInvitation(w: OrganizationWorld, organizationId = w.organization.id): Promise<string> {
  const [user] = await w.t.sql<{ id: string }>(
    `insert into users (id, email, name, created_at) values (gen_random_uuid(), ?, '', now()) returning id`,
    [uniqueEmail()],
  );
  await w.t.sql(
    `insert into memberships (id, organization_id, user_id, type, created_at) values (gen_random_uuid(), ?, ?, 'member', now())`,
    [organizationId, user.id],
  );
  const [invitation] = await w.t.sql<{ id: string }>(
    `insert into invitations (id, organization_id, user_id, sent_at, expires_at)
     values (gen_random_uuid(), ?, ?, now(), now() + interval '14 days') returning id`,
    [organizationId, user.id],
  );
  return invitation.id;
}

const freshTag = (w: OrganizationWorld, organizationId = w.organization.id) =>
  createTag(w.t, organizationId, `Probe ${unique()}`);

/**
 * A webhook endpoint written straight to the database. Its URL is in a documentation range, so a
 * delivery to it is refused without a connection; its secret is never decrypted by a probe.
 */
async function freshWebhook(w: OrganizationWorld, organizationId = w.organization.id): Promise<string> {
  const [row] = await w.t.sql<{ id: string }>(
    `insert into webhook_endpoints (organization_id, url, events, secret_ciphertext)
     values (?, 'https://192.0.2.1/probe', '{resource.deleted}', 'v1.probe.probe.probe') returning id`,
    [organizationId],
  );
  return row.id;
}

/** An endpoint with one delivery: [endpoint id, delivery id]. */
async function freshDelivery(
  w: OrganizationWorld,
  organizationId = w.organization.id,
): Promise<[string, string]> {
  const endpointId = await freshWebhook(w, organizationId);
  const [event] = await w.t.sql<{ id: string }>(
    `insert into webhook_events (organization_id, type, payload)
     values (?, 'resource.deleted', jsonb_build_object('type', 'resource.deleted', 'timestamp', '2026-11-28T00:00:00.000Z',
       'data', jsonb_build_object('organizationId', ?::uuid, 'actorId', null, 'action', 'project.deleted',
         'targetType', 'project', 'targetId', gen_random_uuid(), 'details', '{}'::jsonb)))
     returning id`,
    [organizationId, organizationId],
  );
  const [delivery] = await w.t.sql<{ id: string }>(
    `insert into webhook_deliveries (organization_id, endpoint_id, event_id, status) values (?, ?, ?, 'failed') returning id`,
    [organizationId, endpointId, event!.id],
  );
  return [endpointId, delivery!.id];
}

const webhooksPath = (w: OrganizationWorld) => `${orgPath(w)}/webhooks`;
/** The HTTP calls that perform each action of organization-matrix.csv, by row id. */
export const ORGANIZATION_PROBES: Record<string, OrganizationProbe[]> = {
  'organization.read': [
    {
      route: 'GET /organizations/{orgId}',
      okStatus: 200,
      call: (w) => get(orgPath(w)),
      verifyAllowed: (response, { world }) => expect(response.body.id).toBe(world.organization.id),
    },
  ],

  'members.list': [
    { route: 'GET /organizations/{orgId}/members', okStatus: 200, call: (w) => get(`${orgPath(w)}/members`) },
    {
      route: 'GET /organizations/{orgId}/members',
      okStatus: 200,
      call: (w) => get(`${orgPath(w)}/members?q=matrix&type=member,workforce`),
      // The autocomplete answers too: the fixture's member and workforce user are named "Matrix ...".
      verifyAllowed: (response, { world }) =>
        expect(response.body.items.map((m: { userId: string }) => m.userId).sort()).toEqual(
          [world.callers.M.id, world.callers.W.id].sort(),
        ),
    },
  ],

  'members.add': [
    {
      route: 'POST /organizations/{orgId}/members',
      okStatus: 201,
      call: (w) => post(`${orgPath(w)}/members`, { email: uniqueEmail(), type: 'member' }),
    },
    {
      route: 'POST /organizations/{orgId}/members',
      okStatus: 201,
      call: (w) => post(`${orgPath(w)}/members`, { email: uniqueEmail(), type: 'external' }),
    },
    {
      route: 'POST /organizations/{orgId}/members',
      okStatus: 201,
      call: async (w) => {
        const eligible = await createMember(w.t, w.workforceOrganization.id, 'member');
        return post(`${orgPath(w)}/members`, { email: eligible.email, type: 'workforce' });
      },
    },
  ],

  'members.add-admin': [
    {
      route: 'POST /organizations/{orgId}/members',
      okStatus: 201,
      call: (w) => post(`${orgPath(w)}/members`, { email: uniqueEmail(), type: 'admin' }),
    },
  ],

  'members.change-type': [
    {
      route: 'PATCH /organizations/{orgId}/members/{userId}',
      okStatus: 200,
      call: async (w) => patch(`${orgPath(w)}/members/${(await freshMember(w)).id}`, { type: 'admin' }),
      crossTenant: (w) => patch(`${orgPath(w)}/members/${w.otherUser.id}`, { type: 'admin' }),
    },
    {
      route: 'PATCH /organizations/{orgId}/members/{userId}',
      okStatus: 200,
      call: async (w) => patch(`${orgPath(w)}/members/${(await freshAdmin(w)).id}`, { type: 'member' }),
      crossTenant: (w) => patch(`${orgPath(w)}/members/${w.other.admin.id}`, { type: 'member' }),
    },
  ],

  'members.remove': [
    {
      route: 'GET /organizations/{orgId}/members/{userId}/removal-preview',
      okStatus: 200,
      call: async (w) => get(`${orgPath(w)}/members/${(await freshMember(w)).id}/removal-preview`),
      crossTenant: (w) => get(`${orgPath(w)}/members/${w.otherUser.id}/removal-preview`),
    },
    {
      route: 'DELETE /organizations/{orgId}/members/{userId}',
      okStatus: 204,
      call: async (w) => del(`${orgPath(w)}/members/${(await freshMember(w)).id}`),
      crossTenant: (w) => del(`${orgPath(w)}/members/${w.otherUser.id}`),
    },
  ],

  'members.remove-admin': [
    {
      route: 'DELETE /organizations/{orgId}/members/{userId}',
      okStatus: 204,
      call: async (w) => del(`${orgPath(w)}/members/${(await freshAdmin(w)).id}`),
      crossTenant: (w) => del(`${orgPath(w)}/members/${w.other.admin.id}`),
    },
  ],

  'groups.read': [
    { route: 'GET /organizations/{orgId}/groups', okStatus: 200, call: (w) => get(`${orgPath(w)}/groups`) },
    {
      route: 'GET /organizations/{orgId}/groups/{groupId}',
      okStatus: 200,
      call: (w) => get(`${orgPath(w)}/groups/${w.group.id}`),
      crossTenant: (w) => get(`${orgPath(w)}/groups/${w.otherGroup.id}`),
    },
  ],

  'groups.manage': [
    {
      route: 'POST /organizations/{orgId}/groups',
      okStatus: 201,
      call: (w) => post(`${orgPath(w)}/groups`, { name: `Probe ${unique()}`, memberIds: [w.callers.M.id] }),
    },
    {
      route: 'PATCH /organizations/{orgId}/groups/{groupId}',
      okStatus: 200,
      call: async (w) =>
        patch(`${orgPath(w)}/groups/${(await createGroup(w.t, w.organization.id)).id}`, {
          name: `Renamed ${unique()}`,
        }),
      crossTenant: (w) => patch(`${orgPath(w)}/groups/${w.otherGroup.id}`, { name: `Renamed ${unique()}` }),
    },
    {
      route: 'DELETE /organizations/{orgId}/groups/{groupId}',
      okStatus: 204,
      call: async (w) => del(`${orgPath(w)}/groups/${(await createGroup(w.t, w.organization.id)).id}`),
      crossTenant: (w) => del(`${orgPath(w)}/groups/${w.otherGroup.id}`),
    },
    {
      route: 'POST /organizations/{orgId}/groups/{groupId}/members',
      okStatus: 200,
      call: async (w) =>
        post(`${orgPath(w)}/groups/${(await createGroup(w.t, w.organization.id)).id}/members`, {
          userIds: [w.callers.M.id, w.callers.W.id],
        }),
      crossTenant: (w) =>
        post(`${orgPath(w)}/groups/${w.otherGroup.id}/members`, { userIds: [w.callers.M.id] }),
    },
    {
      route: 'DELETE /organizations/{orgId}/groups/{groupId}/members/{userId}',
      okStatus: 204,
      call: async (w) => {
        const group = await createGroup(w.t, w.organization.id, { memberIds: [w.callers.M.id] });
        return del(`${orgPath(w)}/groups/${group.id}/members/${w.callers.M.id}`);
      },
      crossTenant: (w) => del(`${orgPath(w)}/groups/${w.otherGroup.id}/members/${w.otherUser.id}`),
    },
  ],

  'tags.list': [
    { route: 'GET /organizations/{orgId}/tags', okStatus: 200, call: (w) => get(`${orgPath(w)}/tags`) },
  ],

  'tags.manage': [
    {
      route: 'POST /organizations/{orgId}/tags',
      okStatus: 201,
      call: (w) => post(`${orgPath(w)}/tags`, { name: `Probe ${unique()}` }),
    },
    {
      route: 'PATCH /organizations/{orgId}/tags/{tagId}',
      okStatus: 200,
      call: async (w) => patch(`${orgPath(w)}/tags/${await freshTag(w)}`, { name: `Renamed ${unique()}` }),
      crossTenant: async (w) =>
        patch(`${orgPath(w)}/tags/${await freshTag(w, w.other.id)}`, { name: `X ${unique()}` }),
    },
    {
      route: 'DELETE /organizations/{orgId}/tags/{tagId}',
      okStatus: 204,
      call: async (w) => del(`${orgPath(w)}/tags/${await freshTag(w)}`),
      crossTenant: async (w) => del(`${orgPath(w)}/tags/${await freshTag(w, w.other.id)}?confirm=true`),
    },
  ],

  'audit.read': [
    {
      route: 'GET /organizations/{orgId}/audit-events',
      okStatus: 200,
      call: (w) => get(`${orgPath(w)}/audit-events`),
    },
  ],

  'service-accounts.manage': [
    {
      route: 'GET /organizations/{orgId}/service-accounts',
      okStatus: 200,
      call: (w) => get(serviceAccountsUrl(w.organization)),
    },
    {
      route: 'POST /organizations/{orgId}/service-accounts',
      okStatus: 201,
      call: (w) => post(serviceAccountsUrl(w.organization), { name: `Probe ${unique()}`, type: 'member' }),
    },
    {
      route: 'GET /organizations/{orgId}/service-accounts/{id}',
      okStatus: 200,
      call: async (w) => get(accountPath(w, await freshServiceAccount(w))),
      crossTenant: async (w) => get(accountPath(w, await freshServiceAccount(w, w.other))),
    },
    {
      route: 'PATCH /organizations/{orgId}/service-accounts/{id}',
      okStatus: 200,
      call: async (w) => patch(accountPath(w, await freshServiceAccount(w)), { disabled: true }),
      crossTenant: async (w) =>
        patch(accountPath(w, await freshServiceAccount(w, w.other)), { disabled: true }),
    },
    {
      route: 'DELETE /organizations/{orgId}/service-accounts/{id}',
      okStatus: 204,
      call: async (w) => del(accountPath(w, await freshServiceAccount(w))),
      crossTenant: async (w) => del(accountPath(w, await freshServiceAccount(w, w.other))),
    },
  ],

  'service-accounts.keys': [
    {
      route: 'GET /organizations/{orgId}/service-accounts/{id}/keys',
      okStatus: 200,
      call: async (w) => get(`${accountPath(w, await freshServiceAccount(w))}/keys`),
      crossTenant: async (w) => get(`${accountPath(w, await freshServiceAccount(w, w.other))}/keys`),
    },
    {
      route: 'POST /organizations/{orgId}/service-accounts/{id}/keys',
      okStatus: 201,
      call: async (w) => post(`${accountPath(w, await freshServiceAccount(w))}/keys`, { name: 'probe' }),
      crossTenant: async (w) =>
        post(`${accountPath(w, await freshServiceAccount(w, w.other))}/keys`, { name: 'probe' }),
    },
    {
      route: 'GET /organizations/{orgId}/service-accounts/{id}/keys/{keyId}',
      okStatus: 200,
      call: async (w) => {
        const account = await freshServiceAccount(w);
        return get(`${keysUrl(w.organization, account)}/${account.keyId}`);
      },
      crossTenant: async (w) => {
        const account = await freshServiceAccount(w, w.other);
        return get(`${keysUrl(w.organization, account)}/${account.keyId}`);
      },
    },
    {
      route: 'DELETE /organizations/{orgId}/service-accounts/{id}/keys/{keyId}',
      okStatus: 204,
      call: async (w) => {
        const account = await freshServiceAccount(w);
        return del(`${keysUrl(w.organization, account)}/${account.keyId}`);
      },
      crossTenant: async (w) => {
        const account = await freshServiceAccount(w, w.other);
        return del(`${keysUrl(w.organization, account)}/${account.keyId}`);
      },
    },
  ],

  'webhooks.manage': [
    { route: 'GET /organizations/{orgId}/webhooks', okStatus: 200, call: (w) => get(webhooksPath(w)) },
    {
      route: 'POST /organizations/{orgId}/webhooks',
      okStatus: 201,
      // A public address given literally: checked without a DNS lookup.
      call: (w) =>
        post(webhooksPath(w), { url: 'https://93.184.215.14/probe', events: ['resource.deleted'] }),
    },
    {
      route: 'GET /organizations/{orgId}/webhooks/{id}',
      okStatus: 200,
      call: async (w) => get(`${webhooksPath(w)}/${await freshWebhook(w)}`),
      crossTenant: async (w) => get(`${webhooksPath(w)}/${await freshWebhook(w, w.other.id)}`),
    },
    {
      route: 'PATCH /organizations/{orgId}/webhooks/{id}',
      okStatus: 200,
      call: async (w) => patch(`${webhooksPath(w)}/${await freshWebhook(w)}`, { disabled: true }),
      crossTenant: async (w) =>
        patch(`${webhooksPath(w)}/${await freshWebhook(w, w.other.id)}`, { disabled: true }),
    },
    {
      route: 'DELETE /organizations/{orgId}/webhooks/{id}',
      okStatus: 204,
      call: async (w) => del(`${webhooksPath(w)}/${await freshWebhook(w)}`),
      crossTenant: async (w) => del(`${webhooksPath(w)}/${await freshWebhook(w, w.other.id)}`),
    },
    {
      route: 'POST /organizations/{orgId}/webhooks/{id}/rotate-secret',
      okStatus: 200,
      call: async (w) => post(`${webhooksPath(w)}/${await freshWebhook(w)}/rotate-secret`, undefined),
      crossTenant: async (w) =>
        post(`${webhooksPath(w)}/${await freshWebhook(w, w.other.id)}/rotate-secret`, undefined),
    },
    {
      route: 'GET /organizations/{orgId}/webhooks/{id}/deliveries',
      okStatus: 200,
      call: async (w) => get(`${webhooksPath(w)}/${(await freshDelivery(w))[0]}/deliveries`),
      crossTenant: async (w) =>
        get(`${webhooksPath(w)}/${(await freshDelivery(w, w.other.id))[0]}/deliveries`),
    },
    {
      route: 'POST /organizations/{orgId}/webhooks/{id}/deliveries/{deliveryId}/redeliver',
      okStatus: 202,
      call: async (w) => {
        const [endpointId, deliveryId] = await freshDelivery(w);
        return post(`${webhooksPath(w)}/${endpointId}/deliveries/${deliveryId}/redeliver`, undefined);
      },
      crossTenant: async (w) => {
        const [endpointId, deliveryId] = await freshDelivery(w, w.other.id);
        return post(`${webhooksPath(w)}/${endpointId}/deliveries/${deliveryId}/redeliver`, undefined);
      },
    },
  ],

  'invitations.manage': [
    {
      route: 'GET /organizations/{orgId}/invitations',
      okStatus: 200,
      call: (w) => get(`${orgPath(w)}/invitations`),
    },
    {
      route: 'POST /organizations/{orgId}/invitations/{id}/resend',
      okStatus: 202,
      call: async (w) => post(`${orgPath(w)}/invitations/${await freshInvitation(w)}/resend`, undefined),
      crossTenant: async (w) =>
        post(`${orgPath(w)}/invitations/${await freshInvitation(w, w.other.id)}/resend`, undefined),
    },
    {
      route: 'DELETE /organizations/{orgId}/invitations/{id}',
      okStatus: 204,
      call: async (w) => del(`${orgPath(w)}/invitations/${await freshInvitation(w)}`),
      crossTenant: async (w) => del(`${orgPath(w)}/invitations/${await freshInvitation(w, w.other.id)}`),
    },
  ],

  'platform.organizations': [
    {
      route: 'POST /platform/organizations',
      okStatus: 201,
      call: () =>
        post('/platform/organizations', {
          name: `Probe ${unique()}`,
          domains: [`probe-${unique()}.test`],
          adminEmails: [uniqueEmail()],
        }),
    },
    // Listing every organization is part of operating them: the same answers as the row.
    { route: 'GET /platform/organizations', okStatus: 200, call: () => get('/platform/organizations') },
    {
      route: 'PATCH /platform/organizations/{orgId}',
      okStatus: 200,
      call: async (w) =>
        patch(`/platform/organizations/${(await freshOrganization(w)).id}`, { isWorkforce: true }),
    },
    {
      route: 'POST /platform/organizations/{orgId}/domains',
      okStatus: 201,
      call: async (w) =>
        post(`/platform/organizations/${(await freshOrganization(w)).id}/domains`, {
          domain: `probe-${unique()}.test`,
        }),
    },
    {
      route: 'DELETE /platform/organizations/{orgId}/domains/{domain}',
      okStatus: 204,
      call: async (w) => {
        const organization = await freshOrganization(w);
        return del(`/platform/organizations/${organization.id}/domains/${organization.domain}`);
      },
    },
  ],
};
