import { Entity, ManyToOne, Opt, Property, Ref, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../../database/base.entity';
import { Organization } from '../../organizations/entities/organization.entity';

@Entity({ tableName: 'groups' })
@Unique({
  name: 'groups_org_name_unique',
  expression: 'create unique index "groups_org_name_unique" on "groups" ("organization_id", lower("name"))',
})
export class Group extends BaseEntity {
  @ManyToOne({ entity: () => Organization, ref: true, deleteRule: 'cascade' })
  organization: Ref<Organization>;

  @Property({ type: 'text' })
  name: string;

  @Property({ type: 'text', default: '' })
  description: Opt<string> = '';
}
