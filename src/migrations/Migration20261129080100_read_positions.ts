import { Migration } from '@mikro-orm/migrations';

/** Each caller's last write position in the WAL, for read-your-writes on read replicas. */
export class Migration20261129080100_read_positions extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "read_positions" ("caller" text not null, "position" pg_lsn not null, "updated_at" timestamptz not null default now(), constraint "read_positions_pkey" primary key ("caller"));`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "read_positions" cascade;`);
  }
}
