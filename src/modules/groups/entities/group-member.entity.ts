import { Entity, Index, ManyToOne, Ref, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../../database/base.entity';
import { Organization } from '../../organizations/entities/organization.entity';
import { User } from '../../users/entities/user.entity';
import { Group } from './group.entity';

@Entity({ tableName: 'group_members' })
@Unique({ name: 'group_members_group_user_unique', properties: ['group', 'user'] })
@Index({ name: 'group_members_user_idx', properties: ['user', 'group'] })
export class GroupMember extends BaseEntity {
  @ManyToOne({ entity: () => Group, ref: true, deleteRule: 'cascade' })
  group: Ref<Group>;

  @ManyToOne({ entity: () => User, ref: true, deleteRule: 'cascade' })
  user: Ref<User>;

  /** Tenant key, the group's organization. */
  @ManyToOne({ entity: () => Organization, ref: true, deleteRule: 'cascade', index: true })
  organization: Ref<Organization>;
}
