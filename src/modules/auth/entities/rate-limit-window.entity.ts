import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The current minute of hits on the public auth routes for one key (`ip:...`, `email:...`), shared by
 * every instance: the counter is an upsert on the key, so a limit of 20 a minute is 20 across
 * all of them. UNLOGGED (see the migration): counters are not worth WAL, are not replicated, and a
 * crash or failover that empties them only forgives a minute's hits.
 */
@Entity({ tableName: 'rate_limit_windows' })
export class RateLimitWindow {
  @PrimaryKey({ type: 'text' })
  key: string;

  /** The window's first hit; a hit a minute or more later starts a new window. */
  @Property({ type: 'timestamptz' })
  @Index({ name: 'rate_limit_windows_started_at_index' })
  startedAt: Date;

  @Property({ type: 'integer' })
  hits: number;
}
