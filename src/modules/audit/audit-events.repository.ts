import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { preciseTimeSql } from '../../common/keyset-time';
import { CursorElements, keysetCursor, Page } from '../../common/pagination';
import { isoTime } from '../../common/sql';
import { sql } from '../../database/sql';
import { AuditEventDto, AuditEventsQuery } from './dto/audit-event.dto';

interface AuditEventRow {
  id: string;
  action: string;
  actor_id: string | null;
  actor_kind: 'user' | 'service_account' | 'system';
  target_type: string;
  target_id: string | null;
  data: Record<string, unknown>;
  created_at: Date | string;
  created_key: string;
}

/** Audit events by (time, id), newest first. */
const AUDIT_EVENTS_CURSOR = keysetCursor(CursorElements.timestamp, CursorElements.uuid);

/** The SQL of the audit log; writing is AuditService's, inside each change's own transaction. */
@Injectable()
export class AuditEventsRepository {
  /** Newest first, walking audit_events_org_created_idx backwards. */
  async page(
    em: EntityManager,
    organizationId: string,
    query: AuditEventsQuery,
  ): Promise<Page<AuditEventDto>> {
    const before = AUDIT_EVENTS_CURSOR.decode(query.cursor);
    const where = ['organization_id = ?'];
    const params: unknown[] = [organizationId];
    if (query.action !== undefined) {
      where.push('action = ?');
      params.push(query.action);
    }
    if (query.actorId !== undefined) {
      where.push('actor_id = ?');
      params.push(query.actorId);
    }
    if (query.since !== undefined) {
      where.push('created_at >= ?::timestamptz');
      params.push(query.since);
    }
    if (query.until !== undefined) {
      where.push('created_at < ?::timestamptz');
      params.push(query.until);
    }
    if (before) {
      where.push('(created_at, id) < (?::timestamptz, ?::uuid)');
      params.push(before[0], before[1]);
    }
    const rows = await sql<AuditEventRow>(
      em,
      `select id, action, actor_id, target_type, target_id, data, created_at,
              ${preciseTimeSql('created_at')} as created_key,
              case when actor_id is null then 'system'
                   when exists (select 1 from users u
                                 where u.id = actor_id and u.service_account_organization_id is not null)
                   then 'service_account' else 'user' end as actor_kind
         from audit_events where ${where.join(' and ')}
        order by created_at desc, id desc ${AUDIT_EVENTS_CURSOR.limitSql(query.limit)}`,
      params,
    );
    return AUDIT_EVENTS_CURSOR.page(
      rows,
      query.limit,
      (row) => [row.created_key, row.id],
      (row) => ({
        id: row.id,
        action: row.action,
        actorId: row.actor_id,
        actorKind: row.actor_kind,
        targetType: row.target_type,
        targetId: row.target_id,
        data: row.data,
        createdAt: isoTime(row.created_at),
      }),
    );
  }
}
