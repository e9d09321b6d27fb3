import { Migration } from '@mikro-orm/migrations';

/**
 * Sessions that last: a login starts a family of refresh tokens (stored as SHA-256), rotated on every
 * use. Spending a token is one `update ... where used_at is null`, and at most one token of a family
 * is unspent (a partial unique index), so two refreshes with the same token cannot both succeed.
 */
export class Migration20261129030000_refresh_tokens extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "refresh_token_families" ("id" uuid not null default gen_random_uuid(), "created_at" timestamptz not null default now(), "user_id" uuid not null, "credential_version" int not null, "expires_at" timestamptz not null, "revoked_at" timestamptz null, "revoked_reason" text check ("revoked_reason" in ('logout', 'reuse')) null, constraint "refresh_token_families_pkey" primary key ("id"), constraint refresh_token_families_revocation_has_reason check ((revoked_at is null) = (revoked_reason is null)));`,
    );
    this.addSql(
      `create index "refresh_token_families_user_id_index" on "refresh_token_families" ("user_id");`,
    );
    this.addSql(
      `alter table "refresh_token_families" add constraint "refresh_token_families_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `create table "refresh_tokens" ("id" uuid not null default gen_random_uuid(), "created_at" timestamptz not null default now(), "family_id" uuid not null, "token_hash" text not null, "expires_at" timestamptz not null, "used_at" timestamptz null, constraint "refresh_tokens_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "refresh_tokens_family_id_index" on "refresh_tokens" ("family_id");`);
    this.addSql(
      `alter table "refresh_tokens" add constraint "refresh_tokens_token_hash_unique" unique ("token_hash");`,
    );
    this.addSql(
      `create unique index "refresh_tokens_one_live_per_family" on "refresh_tokens" ("family_id") where "used_at" is null;`,
    );
    this.addSql(
      `alter table "refresh_tokens" add constraint "refresh_tokens_family_id_foreign" foreign key ("family_id") references "refresh_token_families" ("id") on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "refresh_tokens" cascade;`);
    this.addSql(`drop table if exists "refresh_token_families" cascade;`);
  }
}
