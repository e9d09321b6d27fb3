import { Entity, ManyToOne, Property, Ref, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../../database/base.entity';
import { Organization } from './organization.entity';

@Entity({ tableName: 'organization_domains' })
export class OrganizationDomain extends BaseEntity {
  @ManyToOne({ entity: () => Organization, ref: true, deleteRule: 'cascade', index: true })
  organization: Ref<Organization>;

  /** Lowercased; a domain belongs to one organization at most. */
  @Property({ type: 'text' })
  @Unique({ name: 'organization_domains_domain_unique' })
  domain: string;
}
