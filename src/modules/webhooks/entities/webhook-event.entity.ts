import { Entity, Index, ManyToOne, Property, Ref } from '@mikro-orm/core';
import { BaseEntity } from '../../../database/base.entity';
import { Organization } from '../../organizations/entities/organization.entity';

/**
 * The outbox: one event per audited change that some endpoint of the organization subscribed to,
 * written by the trigger on audit_events in the change's own transaction. Its id is the audit
 * event's, and is the `webhook-id` every endpoint receives it under.
 */
@Entity({ tableName: 'webhook_events' })
export class WebhookEvent extends BaseEntity {
  @ManyToOne({ entity: () => Organization, ref: true, deleteRule: 'cascade' })
  @Index({ name: 'webhook_events_organization_idx' })
  organization: Ref<Organization>;

  @Property({ type: 'text' })
  type: string;

  /** The body sent, `{ type, timestamp, data }`, as Standard Webhooks suggests. */
  @Property({ type: 'jsonb' })
  payload: Record<string, unknown>;
}
