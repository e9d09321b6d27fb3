import { Entity, ManyToOne, Property, Ref, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../../database/base.entity';
import { Group } from '../../groups/entities/group.entity';
import { Organization } from '../../organizations/entities/organization.entity';

/** The identity provider's own id for a group it provisioned. */
@Entity({ tableName: 'scim_groups' })
@Unique({ name: 'scim_groups_group_unique', properties: ['group'] })
@Unique({ name: 'scim_groups_org_external_id_unique', properties: ['organization', 'externalId'] })
export class ScimGroup extends BaseEntity {
  @ManyToOne({ entity: () => Organization, ref: true, deleteRule: 'cascade' })
  organization: Ref<Organization>;

  @ManyToOne({ entity: () => Group, ref: true, deleteRule: 'cascade' })
  group: Ref<Group>;

  @Property({ type: 'text', nullable: true })
  externalId: string | null = null;
}
