import { Entity, ManyToOne, Property, Ref, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../../database/base.entity';
import { Organization } from '../../organizations/entities/organization.entity';
import { User } from '../../users/entities/user.entity';

/**
 * What an organization's identity provider knows of a user it provisioned: its own id for them
 * (`externalId`) and the name parts it sent. The row outlives the membership, so that a user the
 * provider deactivated is still found (as `active: false`) and can be reactivated.
 */
@Entity({ tableName: 'scim_users' })
@Unique({ name: 'scim_users_org_user_unique', properties: ['organization', 'user'] })
@Unique({ name: 'scim_users_org_external_id_unique', properties: ['organization', 'externalId'] })
export class ScimUser extends BaseEntity {
  @ManyToOne({ entity: () => Organization, ref: true, deleteRule: 'cascade' })
  organization: Ref<Organization>;

  @ManyToOne({ entity: () => User, ref: true, deleteRule: 'cascade', index: true })
  user: Ref<User>;

  @Property({ type: 'text', nullable: true })
  externalId: string | null = null;

  @Property({ type: 'text', nullable: true })
  givenName: string | null = null;

  @Property({ type: 'text', nullable: true })
  familyName: string | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  updatedAt: Date = new Date();
}
