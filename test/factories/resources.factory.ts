import { randomBytes } from 'node:crypto';
import { ResourceKind, ResourceRole } from '../../src/modules/resources/resource-kind';
import { RESOURCE_KIND_APIS } from '../../src/modules/resources/resource-kind-api';
import { TestApp } from '../support/test-app';
import { TestUser } from './users.factory';

export const segmentOf = (kind: ResourceKind) => RESOURCE_KIND_APIS[kind].segment;

/** A resource made through the API by `creator`, who becomes its admin and owner. */
export async function createResource(
  t: TestApp,
  creator: TestUser,
  kind: ResourceKind,
  body: Record<string, unknown> = {},
): Promise<any> {
  const response = await t.post(
    `/${segmentOf(kind)}`,
    { title: `${kind} ${randomBytes(4).toString('hex')}`, ...body },
    creator.token,
  );
  if (response.status !== 201) throw new Error(`create ${kind} failed: ${JSON.stringify(response.body)}`);
  return response.body;
}

/** A resource written straight to the database, with its owner as admin: fast, for large fixtures. */
export async function insertResource(
  t: TestApp,
  options: { kind: ResourceKind; ownerId: string; organizationId: string | null; title?: string },
): Promise<string> {
  const [row] = await t.sql<{ id: string }>(
    `insert into resources (id, kind, organization_id, owner_id, title, structure, created_at, updated_at)
     values (gen_random_uuid(), ?, ?, ?, ?, ?, clock_timestamp(), clock_timestamp()) returning id`,
    [
      options.kind,
      options.organizationId,
      options.ownerId,
      options.title ?? `${options.kind} ${randomBytes(4).toString('hex')}`,
      options.kind === 'ontology' ? '{}' : null,
    ],
  );
  await addCollaborator(t, row.id, options.ownerId, 'admin');
  return row.id;
}

export async function addCollaborator(
  t: TestApp,
  resourceId: string,
  userId: string,
  role: ResourceRole,
): Promise<void> {
  await t.sql(
    `insert into collaborators (id, resource_id, user_id, role, organization_id, created_at)
     select gen_random_uuid(), r.id, ?, ?, r.organization_id, clock_timestamp() from resources r where r.id = ?`,
    [userId, role, resourceId],
  );
}

/** Groups belong to the groups module; tests write them straight to the database. */
export async function createGroup(
  t: TestApp,
  organizationId: string,
  memberIds: string[] = [],
  name = `Group ${randomBytes(4).toString('hex')}`,
): Promise<{ id: string; name: string }> {
  const [row] = await t.sql<{ id: string }>(
    `insert into groups (id, organization_id, name, created_at) values (gen_random_uuid(), ?, ?, now()) returning id`,
    [organizationId, name],
  );
  for (const userId of memberIds) await addGroupMember(t, row.id, userId);
  return { id: row.id, name };
}

export async function addGroupMember(t: TestApp, groupId: string, userId: string): Promise<void> {
  await t.sql(
    `insert into group_members (id, group_id, user_id, organization_id, created_at)
     select gen_random_uuid(), g.id, ?, g.organization_id, now() from groups g where g.id = ?`,
    [userId, groupId],
  );
}

export async function giveGroupRole(
  t: TestApp,
  resourceId: string,
  groupId: string,
  role: ResourceRole,
): Promise<void> {
  await t.sql(
    `insert into resource_groups (id, resource_id, group_id, role, organization_id, created_at)
     select gen_random_uuid(), ?, g.id, ?, g.organization_id, now() from groups g where g.id = ?`,
    [resourceId, role, groupId],
  );
}

/** Tags belong to the tags module; tests write them straight to the database. */
export async function createTag(t: TestApp, organizationId: string, name?: string): Promise<string> {
  const [row] = await t.sql<{ id: string }>(
    `insert into tags (id, organization_id, name, created_at) values (gen_random_uuid(), ?, ?, now()) returning id`,
    [organizationId, name ?? `tag-${randomBytes(4).toString('hex')}`],
  );
  return row.id;
}
