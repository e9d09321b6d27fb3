import { Check, Entity, Enum, ManyToOne, Property, Ref, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../../database/base.entity';
import { User } from '../../users/entities/user.entity';

export const SESSION_END_REASONS = ['logout', 'reuse'] as const;
export type SessionEndReason = (typeof SESSION_END_REASONS)[number];

/**
 * A session: one login and the chain of refresh tokens rotated from it. It ends at `expiresAt`
 * whatever the refreshes (the absolute lifetime), when it is revoked (logout, or a spent token
 * presented again), or when the user's password changes (`credentialVersion` no longer matches).
 * Access tokens carry its id (`sid`): they end with it.
 */
@Entity({ tableName: 'refresh_token_families' })
@Check({
  name: 'refresh_token_families_revocation_has_reason',
  expression: '(revoked_at is null) = (revoked_reason is null)',
})
export class RefreshTokenFamily extends BaseEntity {
  @ManyToOne({
    entity: () => User,
    ref: true,
    deleteRule: 'cascade',
    index: 'refresh_token_families_user_id_index',
  })
  user: Ref<User>;

  /** The user's credential version at login: a password set since ends the session. */
  @Property({ type: 'integer' })
  credentialVersion: number;

  @Property({ type: 'timestamptz' })
  expiresAt: Date;

  @Property({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null = null;

  @Enum({ items: [...SESSION_END_REASONS], nullable: true })
  revokedReason: SessionEndReason | null = null;
}

/**
 * One refresh token of a session; only its SHA-256 is stored. Spending it (`usedAt`) is the one
 * statement that decides a refresh; a spent token presented again revokes its family.
 */
@Entity({ tableName: 'refresh_tokens' })
// A session has at most one unspent token: a rotation can only add the next one after spending the
// last, whatever the concurrency.
@Unique({
  name: 'refresh_tokens_one_live_per_family',
  expression:
    'create unique index "refresh_tokens_one_live_per_family" on "refresh_tokens" ("family_id") where "used_at" is null',
})
export class RefreshToken extends BaseEntity {
  @ManyToOne({
    entity: () => RefreshTokenFamily,
    ref: true,
    deleteRule: 'cascade',
    index: 'refresh_tokens_family_id_index',
  })
  family: Ref<RefreshTokenFamily>;

  @Property({ type: 'text' })
  @Unique({ name: 'refresh_tokens_token_hash_unique' })
  tokenHash: string;

  @Property({ type: 'timestamptz' })
  expiresAt: Date;

  @Property({ type: 'timestamptz', nullable: true })
  usedAt: Date | null = null;
}
