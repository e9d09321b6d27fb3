import { Entity, Opt, Property, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../../database/base.entity';

@Entity({ tableName: 'organizations' })
@Unique({
  name: 'organizations_name_unique',
  expression: 'create unique index "organizations_name_unique" on "organizations" (lower("name"))',
})
export class Organization extends BaseEntity {
  @Property({ type: 'text' })
  name: string;

  /** Set only by platform admins: its internal users may be workforce elsewhere. */
  @Property({ type: 'boolean', default: false })
  isWorkforce: Opt<boolean> = false;
}
