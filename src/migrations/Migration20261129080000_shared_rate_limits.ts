import { Migration } from '@mikro-orm/migrations';

/**
 * Rate-limit counters shared by every instance, one row per key (its current minute). UNLOGGED: an increment
 * writes no WAL (the public auth routes are hot under attack), and losing the counters in a crash
 * or a failover only forgives the current minute.
 */
export class Migration20261129080000_shared_rate_limits extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create unlogged table "rate_limit_windows" ("key" text not null, "started_at" timestamptz not null, "hits" integer not null, constraint "rate_limit_windows_pkey" primary key ("key"));`,
    );
    this.addSql(`create index "rate_limit_windows_started_at_index" on "rate_limit_windows" ("started_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "rate_limit_windows" cascade;`);
  }
}
