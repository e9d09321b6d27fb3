import { Entity, ManyToOne, PrimaryKey, Property, Ref } from '@mikro-orm/core';
import { Organization } from '../../organizations/entities/organization.entity';

/**
 * How many of one quota's things an organization has: kept by the database's own triggers on the
 * counted tables (see the quota_usage migration), never written by the application. Reading it is
 * O(1) however large the organization; the check against the limit runs at commit (deferred).
 */
@Entity({ tableName: 'quota_usage' })
export class QuotaUsage {
  @ManyToOne({ entity: () => Organization, ref: true, primary: true, deleteRule: 'cascade' })
  organization: Ref<Organization>;

  @PrimaryKey({ type: 'text' })
  quota: string;

  @Property({ type: 'integer' })
  used: number;
}
