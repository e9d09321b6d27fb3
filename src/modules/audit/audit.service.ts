import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
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
}
