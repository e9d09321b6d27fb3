import { Check, Entity, Index, Opt, Property, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../../database/base.entity';

export type UserStatus = 'active' | 'invited';

@Entity({ tableName: 'users' })
// A password is only ever set through a token mailed to the address, which proves the mailbox:
// nobody can hold a password on an address they never verified, whatever the code does.
@Check({
  name: 'users_password_needs_verified_email',
  expression: 'password_hash is null or email_verified_at is not null',
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

  /** Invited until they prove their address: by a mailed token (with a password) or through a trusted identity provider. */
  get status(): UserStatus {
    return this.passwordHash === null && this.emailVerifiedAt === null ? 'invited' : 'active';
  }

  setPassword(passwordHash: string): void {
    this.passwordHash = passwordHash;
    this.credentialVersion += 1;
  }
}
