import { Entity, ManyToOne, Property, Ref, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../../database/base.entity';
import { User } from '../../users/entities/user.entity';

/** One-time email verification token; only its SHA-256 is stored. */
@Entity({ tableName: 'email_verification_tokens' })
export class EmailVerificationToken extends BaseEntity {
  @ManyToOne({ entity: () => User, ref: true, deleteRule: 'cascade', index: true })
  user: Ref<User>;

  @Property({ type: 'text' })
  @Unique({ name: 'email_verification_tokens_hash_unique' })
  tokenHash: string;

  @Property({ type: 'timestamptz' })
  expiresAt: Date;

  @Property({ type: 'timestamptz', nullable: true })
  usedAt: Date | null = null;
}
