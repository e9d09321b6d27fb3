import { randomBytes } from 'node:crypto';
import { ResourceKind, ResourceRole } from '../../src/policy/vocabulary';
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

export interface TestResource {
  id: string;
  kind: ResourceKind;
  title: string;
}

/** A resource written straight to the database, with its owner as admin: fast, for large fixtures. */
export async function insertResource(
  t: TestApp,
  options: { kind: ResourceKind; ownerId: string; organizationId: string | null; title?: string },
): Promise<TestResource> {
  const title = options.title ?? `${options.kind} ${randomBytes(4).toString('hex')}`;
  const [row] = await t.sql<{ id: string }>(
    `insert into resources (id, kind, organization_id, owner_id, title, structure, created_at, updated_at)
     values (gen_random_uuid(), ?, ?, ?, ?, ?, clock_timestamp(), clock_timestamp()) returning id`,
    [options.kind, options.organizationId, options.ownerId, title, options.kind === 'ontology' ? '{}' : null],
  );
  await addCollaborator(t, row.id, options.ownerId, 'admin');
  return { id: row.id, kind: options.kind, title };
}

/**
 * A direct role on a resource; the tenant key is the resource's organization. Someone with no
 * membership there gets the one an invitation would give (workforce or external): rights in an
 * organization need a membership in it.
 */
export async function addCollaborator(
  t: TestApp,
  resourceId: string,
  userId: string,
  role: ResourceRole,
): Promise<void> {
  await joinResourceOrganization(t, resourceId, userId);
  await t.sql(
    `insert into collaborators (id, resource_id, user_id, role, organization_id, created_at)
     select gen_random_uuid(), r.id, ?, ?, r.organization_id, clock_timestamp() from resources r where r.id = ?`,
    [userId, role, resourceId],
  );
}

async function joinResourceOrganization(t: TestApp, resourceId: string, userId: string): Promise<void> {
  const [{ organization_id: organizationId }] = await t.sql<{ organization_id: string | null }>(
    `select organization_id from resources where id = ?`,
    [resourceId],
  );
  if (!organizationId) return;
  // As an invitation would make them: workforce when internal in another workforce organization.
  await t.sql(
    `insert into memberships (id, organization_id, user_id, type, created_at)
     select gen_random_uuid(), ?::uuid, ?::uuid,
            case when exists (select 1 from memberships i join organizations w on w.id = i.organization_id
                               where i.user_id = ?::uuid and i.type in ('admin', 'member') and w.is_workforce
                                 and w.id <> ?::uuid)
                 then 'workforce' else 'external' end,
            clock_timestamp()
     on conflict (organization_id, user_id) do nothing`,
    [organizationId, userId, userId, organizationId],
  );
}

/** The user's direct role on a resource, or null. */
export async function roleOf(t: TestApp, resourceId: string, userId: string): Promise<string | null> {
  const [row] = await t.sql<{ role: string }>(
    `select role from collaborators where resource_id = ? and user_id = ?`,
    [resourceId, userId],
  );
  return row?.role ?? null;
}

/** A notification rule on a project (events: task.submitted) with these recipients. */
export async function insertNotification(
  t: TestApp,
  projectId: string,
  recipientIds: string[] = [],
): Promise<{ id: string }> {
  const [row] = await t.sql<{ id: string }>(
    `insert into notifications (id, project_id, organization_id, name, events, created_at)
     select gen_random_uuid(), r.id, r.organization_id, 'Submitted', '{task.submitted}', now()
       from resources r where r.id = ? returning id`,
    [projectId],
  );
  for (const userId of recipientIds) {
    await joinResourceOrganization(t, projectId, userId);
    await t.sql(
      `insert into notification_recipients (id, notification_id, user_id, organization_id, created_at)
       select gen_random_uuid(), n.id, ?, n.organization_id, now() from notifications n where n.id = ?`,
      [userId, row.id],
    );
  }
  return row;
}

/** Groups belong to the groups module (groups.factory.ts); here, a group's role on a resource. */
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
