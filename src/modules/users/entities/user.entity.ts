import { Entity, Index, Opt, Property, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../../database/base.entity';

export type UserStatus = 'active' | 'invited';

@Entity({ tableName: 'users' })
export class User extends BaseEntity {
  /** Always stored lowercased, so the plain unique index is case-insensitive. */
  @Property({ type: 'text' })
  @Unique({ name: 'users_email_unique' })
  email: string;

  @Property({ type: 'text', default: '' })
  name: Opt<string> = '';

  /** Null while the user was only invited by email and never signed up. */
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

  get status(): UserStatus {
    return this.passwordHash === null ? 'invited' : 'active';
  }
}
