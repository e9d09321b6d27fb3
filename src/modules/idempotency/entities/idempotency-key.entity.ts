import { Entity, Index, Property, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../../database/base.entity';

/**
 * A create request's Idempotency-Key and the answer it got, so that a retry with the same key gets
 * the same answer instead of a second resource. Held in PostgreSQL so every instance sees it; the
 * unique key per caller is what makes a concurrent duplicate lose. A row without a status is a
 * request still running.
 */
@Entity({ tableName: 'idempotency_keys' })
@Unique({ name: 'idempotency_keys_caller_key_unique', properties: ['caller', 'key'] })
export class IdempotencyKey extends BaseEntity {
  /** Who sent the key: a key is only ever matched against the same caller's keys. */
  @Property({ type: 'text' })
  caller: string;

  @Property({ type: 'text' })
  key: string;

  /** `POST /projects`: the same key on another route is a reuse, not a replay. */
  @Property({ type: 'text' })
  target: string;

  /** SHA-256 of the body with its keys sorted. */
  @Property({ type: 'text' })
  requestHash: string;

  @Property({ type: 'smallint', nullable: true })
  responseStatus: number | null = null;

  @Property({ type: 'jsonb', nullable: true })
  responseHeaders: Record<string, string> | null = null;

  @Property({ type: 'text', nullable: true })
  responseBody: string | null = null;

  @Property({ type: 'timestamptz' })
  @Index({ name: 'idempotency_keys_expires_at_index' })
  expiresAt: Date;
}
