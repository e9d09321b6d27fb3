import { TestApp } from './test-app';

export interface AuditRecord {
  action: string;
  actorId: string | null;
  targetType: string;
  targetId: string | null;
  data: any;
}

/** The audit events that match, oldest first: what the shared audit-log assertions read. */
export async function auditEvents(
  t: TestApp,
  where: { organizationId?: string; targetId?: string; action?: string },
): Promise<AuditRecord[]> {
  const filters = Object.entries({
    organization_id: where.organizationId,
    target_id: where.targetId,
    action: where.action,
  }).filter(([, value]) => value !== undefined);
  const conditions = filters.map(([column]) => `${column} = ?`);
  const params = filters.map(([, value]) => value);
  const rows = await t.sql<{
    action: string;
    actor_id: string | null;
    target_type: string;
    target_id: string | null;
    data: unknown;
  }>(
    `select action, actor_id, target_type, target_id, data from audit_events
      ${conditions.length ? `where ${conditions.join(' and ')}` : ''} order by created_at, id`,
    params,
  );
  return rows.map((row) => ({
    action: row.action,
    actorId: row.actor_id,
    targetType: row.target_type,
    targetId: row.target_id,
    data: row.data,
  }));
}

export async function auditActions(
  t: TestApp,
  where: { organizationId?: string; targetId?: string; action?: string },
): Promise<string[]> {
  return (await auditEvents(t, where)).map((event) => event.action);
}
