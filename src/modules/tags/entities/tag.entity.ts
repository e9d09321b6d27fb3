import { Entity, ManyToOne, Property, Ref, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../../database/base.entity';
import { Organization } from '../../organizations/entities/organization.entity';

@Entity({ tableName: 'tags' })
@Unique({
  name: 'tags_org_name_unique',
  expression: 'create unique index "tags_org_name_unique" on "tags" ("organization_id", lower("name"))',
})
export class Tag extends BaseEntity {
  @ManyToOne({ entity: () => Organization, ref: true, deleteRule: 'cascade' })
  organization: Ref<Organization>;

  @Property({ type: 'text' })
  name: string;
}
