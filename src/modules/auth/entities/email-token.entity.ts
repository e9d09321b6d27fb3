import { Check, Entity, Enum, ManyToOne, Property, Ref, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../../database/base.entity';
import { User } from '../../users/entities/user.entity';

export const EMAIL_TOKEN_PURPOSES = ['verify_email', 'password_reset'] as const;
export type EmailTokenPurpose = (typeof EMAIL_TOKEN_PURPOSES)[number];

/**
 * A single-use token mailed to a user's address; only its SHA-256 is stored. A user has at most one
 * live token per purpose: issuing a new one replaces the last, so older links stop working.
 */
@Entity({ tableName: 'email_tokens' })
@Unique({ name: 'email_tokens_user_purpose_unique', properties: ['user', 'purpose'] })
// A verification carries the sign-up it confirms; a reset carries nothing but its proof of the mailbox.
@Check({
  name: 'email_tokens_sign_up_only_on_verification',
  expression:
    "(purpose = 'verify_email') = (password_hash is not null) and (purpose = 'verify_email') = (name is not null)",
})
export class EmailToken extends BaseEntity {
  @ManyToOne({ entity: () => User, ref: true, deleteRule: 'cascade' })
  user: Ref<User>;

  @Enum({ items: [...EMAIL_TOKEN_PURPOSES] })
  purpose: EmailTokenPurpose;

  @Property({ type: 'text' })
  @Unique({ name: 'email_tokens_hash_unique' })
  tokenHash: string;

  @Property({ type: 'timestamptz' })
  expiresAt: Date;

  /** verify_email: the scrypt hash of the password chosen at sign-up; verification sets it on the account. */
  @Property({ type: 'text', nullable: true, hidden: true })
  passwordHash: string | null = null;

  /** verify_email: the name given at sign-up; verification sets it on the account. */
  @Property({ type: 'text', nullable: true })
  name: string | null = null;
}
