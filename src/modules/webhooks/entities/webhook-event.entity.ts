import { Entity, Index, ManyToOne, Opt, Property, Ref } from '@mikro-orm/core';
import { BaseEntity } from '../../../database/base.entity';
import { Organization } from '../../organizations/entities/organization.entity';

/**
 * The outbox: one event per audited change that some endpoint of the organization subscribed to,
 * written by the trigger on audit_events in the change's own transaction, then fanned out to the
 * endpoints by the delivery worker. Its id is the audit event's, and is the `webhook-id` every
 * endpoint receives it under.
 */
@Entity({ tableName: 'webhook_events' })
@Index({
  name: 'webhook_events_to_fan_out_idx',
  expression: `create index "webhook_events_to_fan_out_idx" on "webhook_events" ("created_at", "id") where not "fanned_out"`,
})
export class WebhookEvent extends BaseEntity {
  @ManyToOne({ entity: () => Organization, ref: true, deleteRule: 'cascade' })
  @Index({ name: 'webhook_events_organization_idx' })
  organization: Ref<Organization>;

  @Property({ type: 'text' })
  type: string;

  /** The body sent, `{ type, timestamp, data }`, as Standard Webhooks suggests. */
  @Property({ type: 'jsonb' })
  payload: Record<string, unknown>;

  /** Its deliveries exist: the worker made one per endpoint subscribed when it reached the event. */
  @Property({ type: 'boolean', default: true })
  fannedOut: boolean & Opt = true;
}
