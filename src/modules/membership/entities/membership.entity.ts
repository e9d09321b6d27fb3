import { Entity, Enum, Index, ManyToOne, Property, Ref, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../../database/base.entity';
import { Organization } from '../../organizations/entities/organization.entity';
import { User } from '../../users/entities/user.entity';
import { MEMBERSHIP_TYPES, type MembershipType } from '../../../policy/vocabulary';

@Entity({ tableName: 'memberships' })
@Unique({ name: 'memberships_org_user_unique', properties: ['organization', 'user'] })
// A user is internal (admin or member) in one organization at most, whatever the code does.
@Unique({
  name: 'memberships_one_internal_org',
  expression:
    'create unique index "memberships_one_internal_org" on "memberships" ("user_id") where "type" in (\'admin\', \'member\')',
})
@Index({ name: 'memberships_org_joined_idx', properties: ['organization', 'createdAt', 'user'] })
@Index({ name: 'memberships_user_idx', properties: ['user'] })
@Index({
  name: 'memberships_expires_at_idx',
  expression:
    'create index "memberships_expires_at_idx" on "memberships" ("expires_at") where expires_at is not null',
})
export class Membership extends BaseEntity {
  @ManyToOne({ entity: () => Organization, ref: true, deleteRule: 'cascade' })
  organization: Ref<Organization>;

  @ManyToOne({ entity: () => User, ref: true, deleteRule: 'cascade' })
  user: Ref<User>;

  @Enum({ items: [...MEMBERSHIP_TYPES] })
  type: MembershipType;

  /** From this instant the membership counts as absent; the expiry sweeper deletes it. */
  @Property({ type: 'timestamptz', nullable: true })
  expiresAt: Date | null = null;

  /** When the organization's admins were warned of the expiry (once per grant). */
  @Property({ type: 'timestamptz', nullable: true })
  expiryWarnedAt: Date | null = null;
}
