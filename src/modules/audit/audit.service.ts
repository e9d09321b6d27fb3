import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { sql } from '../../database/sql';
import type { SqlFragment } from '../../policy/sql-filter';
import { withLongStringsOmitted } from './audit-data';
import { AuditEvent } from './entities/audit-event.entity';

export interface AuditRecord {
  organizationId: string | null;
  actorId: string | null;
  action: string;
  targetType: string;
  targetId?: string | null;
  data?: Record<string, unknown>;
}

@Injectable()
export class AuditService {
  /**
   * Adds the event to the caller's unit of work: it is written by the same flush, in the same
   * transaction, as the change it records, or not at all. Its data is bounded: long strings are kept
   * as their size and hash (large JSON documents are the caller's to pass through `auditedJson`).
   */
  record(em: EntityManager, record: AuditRecord): void {
    em.persist(
      em.create(AuditEvent, {
        organizationId: record.organizationId,
        actorId: record.actorId,
        action: record.action,
        targetType: record.targetType,
        targetId: record.targetId ?? null,
        data: withLongStringsOmitted(record.data ?? {}) as Record<string, unknown>,
      }),
    );
  }

  /**
   * The insert of events as a part (a data-modifying CTE) of the change's own statement, for a
   * change written in one statement without a unit of work to flush: the event is written by that
   * statement or not at all. `from` names the statement's rows that each make one event (none: no
   * event); `computed` gives what only the statement knows, as SQL over `from`: the organization's
   * id, the target's id, and a jsonb object of more data fields (bounded ones: long strings are not
   * omitted there).
   */
  insertSql(
    record: AuditRecord,
    from: string,
    computed: { organizationId?: string; targetId?: string; moreData?: string } = {},
  ): SqlFragment {
    const organizationId = computed.organizationId ?? '?::uuid';
    const targetId = computed.targetId ?? '?::uuid';
    const data = computed.moreData ? `?::jsonb || ${computed.moreData}` : '?::jsonb';
    return {
      sql: `insert into audit_events (id, created_at, organization_id, actor_id, action, target_type, target_id, data)
            select gen_random_uuid(), now(), ${organizationId}, ?::uuid, ?::text, ?::text, ${targetId}, ${data} from ${from}`,
      params: [
        ...(computed.organizationId ? [] : [record.organizationId]),
        record.actorId,
        record.action,
        record.targetType,
        ...(computed.targetId ? [] : [record.targetId ?? null]),
        JSON.stringify(withLongStringsOmitted(record.data ?? {})),
      ],
    };
  }

  /**
   * Many events at once (a hand-over of a thousand projects), written now in one statement of the
   * caller's transaction rather than as entities of its unit of work: the flush of a thousand
   * entities cost more than the hand-over's SQL. Ids and times are made here, as for `record`, so
   * the events keep the order they were recorded in.
   */
  async recordMany(em: EntityManager, records: readonly AuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    const rows = records.map((record) => ({
      id: randomUUID(),
      created_at: new Date(),
      organization_id: record.organizationId,
      actor_id: record.actorId,
      action: record.action,
      target_type: record.targetType,
      target_id: record.targetId ?? null,
      data: withLongStringsOmitted(record.data ?? {}),
    }));
    await sql(
      em,
      `insert into audit_events (id, created_at, organization_id, actor_id, action, target_type, target_id, data)
       select id, created_at, organization_id, actor_id, action, target_type, target_id, data
         from jsonb_to_recordset(?::jsonb) as r(id uuid, created_at timestamptz, organization_id uuid,
              actor_id uuid, action text, target_type text, target_id uuid, data jsonb)`,
      [JSON.stringify(rows)],
      { name: 'audit-record-many' },
    );
  }
}
