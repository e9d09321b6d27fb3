import { Entity, Index, ManyToOne, Property, Ref, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../../database/base.entity';
import { Group } from '../../groups/entities/group.entity';
import { Organization } from '../../organizations/entities/organization.entity';
import { ResourceRole } from '../../../policy/vocabulary';
import { Resource } from './resource.entity';

/** A group given a role on a resource: each of its members holds that role. */
@Entity({ tableName: 'resource_groups' })
@Unique({ name: 'resource_groups_resource_group_unique', properties: ['resource', 'group'] })
@Index({ name: 'resource_groups_group_idx', properties: ['group', 'resource'] })
export class ResourceGroup extends BaseEntity {
  @ManyToOne({ entity: () => Resource, ref: true, deleteRule: 'cascade' })
  resource: Ref<Resource>;

  @ManyToOne({ entity: () => Group, ref: true, deleteRule: 'cascade' })
  group: Ref<Group>;

  @Property({ type: 'text' })
  role: ResourceRole;

  @ManyToOne({ entity: () => Organization, ref: true, deleteRule: 'cascade', index: true })
  organization: Ref<Organization>;
}
