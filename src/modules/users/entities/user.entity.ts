import { Check, Entity, Index, ManyToOne, Opt, Property, Ref, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../../database/base.entity';
import { Organization } from '../../organizations/entities/organization.entity';

export type UserStatus = 'active' | 'invited';

@Entity({ tableName: 'users' })
// A password is only ever set through a token mailed to the address, which proves the mailbox:
// nobody can hold a password on an address they never verified, whatever the code does.
@Check({
  name: 'users_password_needs_verified_email',
  expression: 'password_hash is null or email_verified_at is not null',
})
// A service account is a machine: it never holds a password (it authenticates with API keys), and
// never operates the platform.
@Check({
  name: 'users_service_account_no_password',
  expression: 'service_account_organization_id is null or (password_hash is null and not is_platform_admin)',
})
// Only service accounts are disabled or deleted (a deleted one stays as a tombstone: what it created
// keeps its owner, and the audit log keeps naming it).
@Check({
  name: 'users_only_service_accounts_disabled',
  expression: 'service_account_organization_id is not null or (disabled_at is null and deleted_at is null)',
})
@Index({
  name: 'users_service_accounts_idx',
  expression:
    'create index "users_service_accounts_idx" on "users" ("service_account_organization_id", "created_at", "id") where "service_account_organization_id" is not null',
})
export class User extends BaseEntity {
  /** Always stored lowercased, so the plain unique index is case-insensitive. */
  @Property({ type: 'text' })
  @Unique({ name: 'users_email_unique' })
  email: string;

  @Property({ type: 'text', default: '' })
  name: Opt<string> = '';

  /** Null until a mailed token (verification of a sign-up, or a password reset) sets one. */
  @Property({ type: 'text', nullable: true, hidden: true })
  passwordHash: string | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  emailVerifiedAt: Date | null = null;

  @Property({ type: 'boolean', default: false })
  @Index({
    name: 'users_platform_admin_idx',
    expression: 'create index "users_platform_admin_idx" on "users" ("id") where "is_platform_admin"',
  })
  isPlatformAdmin: Opt<boolean> = false;

  /**
   * Carried by every access token (`ver`) and compared on each request: setting a password bumps it,
   * so every token issued before stops working at once. A counter, not a time: JWT `iat` has
   * one-second granularity and would let a token signed in the same second through.
   */
  @Property({ type: 'integer', default: 0 })
  credentialVersion: Opt<number> = 0;

  /**
   * Set for a service account: the one organization it belongs to. Its membership there is its only
   * one (the memberships_service_account_home trigger holds it).
   */
  @ManyToOne({ entity: () => Organization, ref: true, nullable: true, deleteRule: 'cascade', index: false })
  serviceAccountOrganization: Ref<Organization> | null = null;

  /** A disabled service account's keys are refused; enabling it again brings them back. */
  @Property({ type: 'timestamptz', nullable: true })
  disabledAt: Date | null = null;

  /** A deleted service account: no membership, no keys, kept so that its name and ownerships remain. */
  @Property({ type: 'timestamptz', nullable: true })
  deletedAt: Date | null = null;

  /**
   * Invited until they prove their address: by a mailed token (with a password) or through a trusted
   * identity provider. The same rule in SQL: `invitedSql` (users.repository.ts).
   */
  get status(): UserStatus {
    return this.passwordHash === null && this.emailVerifiedAt === null && this.serviceAccountOrganization === null
      ? 'invited'
      : 'active';
  }

  setPassword(passwordHash: string): void {
    this.passwordHash = passwordHash;
    this.credentialVersion += 1;
  }
}
