import { Check, Entity, Enum, Index, ManyToOne, Opt, Property, Ref, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../../database/base.entity';
import { Organization } from '../../organizations/entities/organization.entity';
import { WebhookEndpoint } from './webhook-endpoint.entity';
import { WebhookEvent } from './webhook-event.entity';

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * One event for one endpoint, and how sending it went (the last attempt's answer). Unique per
 * (endpoint, event): an event is delivered once per endpoint. A worker leases a row under
 * `for update skip locked` by pushing `nextAttemptAt` past the attempt's longest duration: no other
 * worker takes it before then, so the same delivery is never sent twice in parallel, and a worker
 * that dies mid-attempt only delays it until the lease ends.
 */
@Entity({ tableName: 'webhook_deliveries' })
@Unique({ name: 'webhook_deliveries_endpoint_event_unique', properties: ['endpoint', 'event'] })
@Index({ name: 'webhook_deliveries_endpoint_created_idx', properties: ['endpoint', 'createdAt', 'id'] })
@Index({
  name: 'webhook_deliveries_due_idx',
  expression: `create index "webhook_deliveries_due_idx" on "webhook_deliveries" ("next_attempt_at") where "status" = 'pending'`,
})
@Check({ name: 'webhook_deliveries_attempts_check', expression: 'attempts >= 0' })
export class WebhookDelivery extends BaseEntity {
  @ManyToOne({ entity: () => Organization, ref: true, deleteRule: 'cascade', index: true })
  organization: Ref<Organization>;

  @ManyToOne({ entity: () => WebhookEndpoint, ref: true, deleteRule: 'cascade' })
  endpoint: Ref<WebhookEndpoint>;

  @ManyToOne({ entity: () => WebhookEvent, ref: true, deleteRule: 'cascade', index: true })
  event: Ref<WebhookEvent>;

  @Enum({ items: [...DELIVERY_STATUSES], default: 'pending' })
  status: Opt<DeliveryStatus> = 'pending';

  @Property({ type: 'integer', default: 0 })
  attempts: Opt<number> = 0;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  nextAttemptAt: Opt<Date> = new Date();

  /** Retries stop this long after: the creation, or the last manual redelivery. */
  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  retryingSince: Opt<Date> = new Date();

  /**
   * Set while a worker holds the lease, which ends at `nextAttemptAt`: only the holder's own result
   * is recorded, never a late one from a lease that ended or was taken back by a redelivery.
   */
  @Property({ type: 'uuid', nullable: true })
  leaseToken: string | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  lastAttemptAt: Date | null = null;

  @Property({ type: 'smallint', nullable: true })
  lastStatusCode: number | null = null;

  /** The start of the last answer's body, or why there was none (timeout, refused address...). */
  @Property({ type: 'text', nullable: true })
  lastResponse: string | null = null;
}
