import { Entity, Index, ManyToOne, Property, Ref, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../../database/base.entity';
import { Organization } from '../../organizations/entities/organization.entity';
import { User } from '../../users/entities/user.entity';

/**
 * A pending invitation: an invited user (no account yet) holds a membership in the organization,
 * and the rights granted with it, until they sign up. Signing up before `expiresAt` keeps them;
 * after, the membership and its rights are taken away. One per (organization, user): a newer
 * invitation to the same organization renews it. Deleted when the person signs up, when the
 * invitation is revoked, and with the membership (trigger `memberships_end_invitation`).
 */
@Entity({ tableName: 'invitations' })
@Unique({ name: 'invitations_org_user_unique', properties: ['organization', 'user'] })
@Index({ name: 'invitations_org_created_idx', properties: ['organization', 'createdAt', 'id'] })
@Index({ name: 'invitations_user_idx', properties: ['user'] })
export class Invitation extends BaseEntity {
  @ManyToOne({ entity: () => Organization, ref: true, deleteRule: 'cascade' })
  organization: Ref<Organization>;

  @ManyToOne({ entity: () => User, ref: true, deleteRule: 'cascade' })
  user: Ref<User>;

  /** Who invited them last; null when that user is gone. */
  @ManyToOne({
    entity: () => User,
    ref: true,
    nullable: true,
    deleteRule: 'set null',
    index: 'invitations_invited_by_idx',
  })
  invitedBy: Ref<User> | null = null;

  /** When the last mail was sent (invitation or resend). */
  @Property({ type: 'timestamptz' })
  sentAt: Date;

  @Property({ type: 'timestamptz' })
  expiresAt: Date;
}
