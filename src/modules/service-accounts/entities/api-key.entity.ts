import { Entity, Index, ManyToOne, Property, Ref, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../../database/base.entity';
import { Organization } from '../../organizations/entities/organization.entity';
import { User } from '../../users/entities/user.entity';

/**
 * A service account's API key. The secret is never stored: `keyHash` is the SHA-256 of the whole key
 * (see decisions.md, "Service accounts and API keys"), unique, so a bearer key is found by one index
 * lookup whatever the number of keys. Revoking a key deletes its row.
 */
@Entity({ tableName: 'api_keys' })
@Index({ name: 'api_keys_service_account_created_idx', properties: ['serviceAccount', 'createdAt', 'id'] })
export class ApiKey extends BaseEntity {
  /** The tenant key: the service account's organization. */
  @ManyToOne({ entity: () => Organization, ref: true, deleteRule: 'cascade' })
  organization: Ref<Organization>;

  @ManyToOne({ entity: () => User, ref: true, deleteRule: 'cascade', index: false })
  serviceAccount: Ref<User>;

  @Property({ type: 'text' })
  name: string;

  /** The key's public part (`oak_<publicId>_...`), shown in lists to tell keys apart. */
  @Property({ type: 'text' })
  @Unique({ name: 'api_keys_public_id_unique' })
  publicId: string;

  @Property({ type: 'text' })
  @Unique({ name: 'api_keys_key_hash_unique' })
  keyHash: string;

  @Property({ type: 'timestamptz', nullable: true })
  expiresAt: Date | null = null;

  /** Kept to the minute: written at most once a minute per key, off the request path. */
  @Property({ type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null = null;
}
