import { randomBytes } from 'node:crypto';
import type { ResourceKind, ResourceRole } from '../../src/modules/resources/resource-kind';
import { TestApp } from '../support/test-app';

/**
 * Resources, collaborators and notification recipients written with plain SQL, for suites that
 * need them before (or without) the resources API: membership removal and its hand-over.
 */
export interface SqlResource {
  id: string;
  kind: ResourceKind;
  title: string;
}

/** A resource of the organization (or of none), with its owner as its admin. */
export async function createResourceSql(
  t: TestApp,
  options: { kind?: ResourceKind; organizationId: string | null; ownerId: string; title?: string },
): Promise<SqlResource> {
  const kind = options.kind ?? 'project';
  const title = options.title ?? `${kind} ${randomBytes(3).toString('hex')}`;
  const [row] = await t.sql<{ id: string }>(
    `insert into resources (id, kind, organization_id, owner_id, title, description, created_at, updated_at)
     values (gen_random_uuid(), ?, ?, ?, ?, '', now(), now()) returning id`,
    [kind, options.organizationId, options.ownerId, title],
  );
  await addCollaboratorSql(t, row.id, options.ownerId, 'admin');
  return { id: row.id, kind, title };
}

/** A direct role on a resource; the tenant key is the resource's organization. */
export async function addCollaboratorSql(
  t: TestApp,
  resourceId: string,
  userId: string,
  role: ResourceRole,
): Promise<void> {
  await t.sql(
    `insert into collaborators (id, resource_id, user_id, role, organization_id, created_at)
     select gen_random_uuid(), r.id, ?, ?, r.organization_id, now() from resources r where r.id = ?`,
    [userId, role, resourceId],
  );
}

/** A notification rule on a project with these recipients. */
export async function createNotificationSql(
  t: TestApp,
  projectId: string,
  recipientIds: string[],
): Promise<{ id: string }> {
  const [row] = await t.sql<{ id: string }>(
    `insert into notifications (id, project_id, organization_id, name, events, created_at)
     select gen_random_uuid(), r.id, r.organization_id, 'Submitted', '{task.submitted}', now()
       from resources r where r.id = ? returning id`,
    [projectId],
  );
  for (const userId of recipientIds) {
    await t.sql(
      `insert into notification_recipients (id, notification_id, user_id, created_at)
       values (gen_random_uuid(), ?, ?, now())`,
      [row.id, userId],
    );
  }
  return row;
}

/** The user's direct role on a resource, or null. */
export async function roleOf(t: TestApp, resourceId: string, userId: string): Promise<string | null> {
  const [row] = await t.sql<{ role: string }>(
    `select role from collaborators where resource_id = ? and user_id = ?`,
    [resourceId, userId],
  );
  return row?.role ?? null;
}
