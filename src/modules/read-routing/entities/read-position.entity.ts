import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * Where the primary's WAL stood after a caller's last write (read-your-writes with replicas): a
 * replica serves this caller's reads only once it has replayed that far. In PostgreSQL, so that a
 * write through one instance and a read through another agree.
 */
@Entity({ tableName: 'read_positions' })
export class ReadPosition {
  /** The caller's user id. */
  @PrimaryKey({ type: 'text' })
  caller: string;

  /** `pg_current_wal_insert_lsn()` after the write committed. */
  @Property({ type: 'string', columnType: 'pg_lsn' })
  position: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  updatedAt: Date;
}
