import { Entity, ManyToOne, Property, Ref, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../../database/base.entity';
import { User } from '../../users/entities/user.entity';

/**
 * A person of an identity provider linked to a user: their tokens sign in as that user. Written by
 * `UserIdentitiesRepository` with `on conflict do nothing`, so the two unique keys decide the races.
 */
@Entity({ tableName: 'user_identities' })
// One user per (issuer, subject): two first requests at once link once. Also the index the bearer
// credential's caller statement reads on every request.
@Unique({ name: 'user_identities_issuer_subject_unique', properties: ['issuer', 'subject'] })
// One subject per user and issuer: when a provider gives an email to a new subject (an account
// recreated, an address reassigned), the new subject does not take over the account linked before.
@Unique({ name: 'user_identities_user_issuer_unique', properties: ['user', 'issuer'] })
export class UserIdentity extends BaseEntity {
  @ManyToOne({ entity: () => User, ref: true, deleteRule: 'cascade' })
  user: Ref<User>;

  /** The provider's `iss`, exactly as configured. */
  @Property({ type: 'text' })
  issuer: string;

  /** The provider's `sub`: stable for a person there, unlike their email. */
  @Property({ type: 'text' })
  subject: string;
}
