import { Entity, Index, Opt, Property } from '@mikro-orm/core';
import { BaseEntity } from '../../../database/base.entity';

/**
 * Who did what to whom. Plain ids rather than foreign keys: the record outlives what it names.
 */
@Entity({ tableName: 'audit_events' })
@Index({ name: 'audit_events_org_created_idx', properties: ['organizationId', 'createdAt', 'id'] })
export class AuditEvent extends BaseEntity {
  @Property({ type: 'uuid', nullable: true })
  organizationId: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  actorId: string | null = null;

  @Property({ type: 'text' })
  action: string;

  @Property({ type: 'text' })
  targetType: string;

  @Property({ type: 'uuid', nullable: true })
  targetId: string | null = null;

  @Property({ type: 'jsonb', default: '{}' })
  data: Opt<Record<string, unknown>> = {};
}
