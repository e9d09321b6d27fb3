import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * Which audited changes are webhook events, and under which public type. Read by the trigger on
 * audit_events (see the migration) that writes the outbox; rows are added by migrations only.
 */
@Entity({ tableName: 'webhook_event_types' })
export class WebhookEventType {
  @PrimaryKey({ type: 'text' })
  auditAction: string;

  @Property({ type: 'text' })
  eventType: string;
}
