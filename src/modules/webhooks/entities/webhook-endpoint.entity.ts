import { Check, Entity, Index, ManyToOne, Opt, Property, Ref } from '@mikro-orm/core';
import { BaseEntity } from '../../../database/base.entity';
import { Organization } from '../../organizations/entities/organization.entity';

/**
 * Where an organization wants its events sent. The signing secret is kept encrypted, not hashed:
 * the server must sign with it (webhook-secrets.ts). After a rotation the previous secret keeps
 * signing, alongside the new one, until `previousSecretExpiresAt`.
 */
@Entity({ tableName: 'webhook_endpoints' })
@Index({ name: 'webhook_endpoints_org_created_idx', properties: ['organization', 'createdAt', 'id'] })
@Check({ name: 'webhook_endpoints_events_not_empty', expression: 'cardinality(events) > 0' })
export class WebhookEndpoint extends BaseEntity {
  @ManyToOne({ entity: () => Organization, ref: true, deleteRule: 'cascade' })
  organization: Ref<Organization>;

  @Property({ type: 'text' })
  url: string;

  @Property({ type: 'text', default: '' })
  description: Opt<string> = '';

  /** Public event types (webhook-events.ts). */
  @Property({ type: 'text[]' })
  events: string[];

  @Property({ type: 'boolean', default: false })
  disabled: Opt<boolean> = false;

  @Property({ type: 'text' })
  secretCiphertext: string;

  @Property({ type: 'text', nullable: true })
  previousSecretCiphertext: string | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  previousSecretExpiresAt: Date | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  updatedAt: Opt<Date> = new Date();
}
