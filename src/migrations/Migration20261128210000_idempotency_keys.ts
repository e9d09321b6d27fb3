import { Migration } from '@mikro-orm/migrations';

/**
 * Idempotency-Key answers, kept 24 hours. The unique (caller, key) is the claim: two instances
 * receiving the same key at once cannot both insert it, so the request runs once.
 */
export class Migration20261128210000_idempotency_keys extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "idempotency_keys" ("id" uuid not null default gen_random_uuid(), "created_at" timestamptz not null default now(), "caller" text not null, "key" text not null, "target" text not null, "request_hash" text not null, "response_status" smallint null, "response_headers" jsonb null, "response_body" text null, "expires_at" timestamptz not null, constraint "idempotency_keys_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "idempotency_keys_expires_at_index" on "idempotency_keys" ("expires_at");`);
    this.addSql(
      `alter table "idempotency_keys" add constraint "idempotency_keys_caller_key_unique" unique ("caller", "key");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "idempotency_keys" cascade;`);
  }
}
