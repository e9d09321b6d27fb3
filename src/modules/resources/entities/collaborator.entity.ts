import { Entity, Index, ManyToOne, Property, Ref, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../../database/base.entity';
import { Organization } from '../../organizations/entities/organization.entity';
import { User } from '../../users/entities/user.entity';
import { ResourceRole } from '../../../policy/vocabulary';
import { Resource } from './resource.entity';

@Entity({ tableName: 'collaborators' })
@Unique({ name: 'collaborators_resource_user_unique', properties: ['resource', 'user'] })
@Index({ name: 'collaborators_user_idx', properties: ['user', 'resource'] })
@Index({ name: 'collaborators_resource_role_idx', properties: ['resource', 'role'] })
@Index({
  name: 'collaborators_expires_at_idx',
  expression:
    'create index "collaborators_expires_at_idx" on "collaborators" ("expires_at") where expires_at is not null',
})
export class Collaborator extends BaseEntity {
  @ManyToOne({ entity: () => Resource, ref: true, deleteRule: 'cascade' })
  resource: Ref<Resource>;

  @ManyToOne({ entity: () => User, ref: true, deleteRule: 'cascade' })
  user: Ref<User>;

  @Property({ type: 'text' })
  role: ResourceRole;

  /** Tenant key, the resource's organization. */
  @ManyToOne({ entity: () => Organization, ref: true, nullable: true, deleteRule: 'cascade', index: true })
  organization: Ref<Organization> | null = null;

  /** From this instant the role counts as absent; the expiry sweeper deletes it. */
  @Property({ type: 'timestamptz', nullable: true })
  expiresAt: Date | null = null;

  /** When the organization's admins were warned of the expiry (once per grant). */
  @Property({ type: 'timestamptz', nullable: true })
  expiryWarnedAt: Date | null = null;
}
