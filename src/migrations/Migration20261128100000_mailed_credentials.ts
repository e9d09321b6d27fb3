import { Migration } from '@mikro-orm/migrations';

/**
 * A password is only ever set through a token mailed to the address. Sign-up keeps the chosen
 * password on its verification token (`email_tokens`, which also carries password resets) instead of
 * the account; the account gets it when the token is spent. `credential_version` is carried by access
 * tokens, so setting a password voids every token issued before.
 */
export class Migration20261128100000_mailed_credentials extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "email_tokens" ("id" uuid not null default gen_random_uuid(), "created_at" timestamptz not null default now(), "user_id" uuid not null, "purpose" text check ("purpose" in ('verify_email', 'password_reset')) not null, "token_hash" text not null, "expires_at" timestamptz not null, "password_hash" text null, "name" text null, constraint "email_tokens_pkey" primary key ("id"), constraint email_tokens_sign_up_only_on_verification check ((purpose = 'verify_email') = (password_hash is not null) and (purpose = 'verify_email') = (name is not null)));`,
    );
    this.addSql(
      `alter table "email_tokens" add constraint "email_tokens_hash_unique" unique ("token_hash");`,
    );
    this.addSql(
      `alter table "email_tokens" add constraint "email_tokens_user_purpose_unique" unique ("user_id", "purpose");`,
    );
    this.addSql(
      `alter table "email_tokens" add constraint "email_tokens_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(`alter table "users" add column "credential_version" int not null default 0;`);

    // Sign-ups waiting for verification move their password (and name) from the account onto their
    // newest unused token: the owner who opens the mailed link still gets the account, and until
    // then nobody can sign in with a password the mailbox never confirmed.
    this.addSql(`
      insert into email_tokens (id, created_at, user_id, purpose, token_hash, expires_at, password_hash, name)
      select distinct on (t.user_id) t.id, t.created_at, t.user_id, 'verify_email', t.token_hash, t.expires_at,
             u.password_hash, u.name
        from email_verification_tokens t
        join users u on u.id = t.user_id
       where t.used_at is null and u.email_verified_at is null and u.password_hash is not null
       order by t.user_id, t.created_at desc;`);
    this.addSql(
      `update users set password_hash = null where email_verified_at is null and password_hash is not null;`,
    );
    this.addSql(
      `alter table "users" add constraint users_password_needs_verified_email check(password_hash is null or email_verified_at is not null);`,
    );

    this.addSql(`drop table if exists "email_verification_tokens" cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(
      `create table "email_verification_tokens" ("id" uuid not null default gen_random_uuid(), "created_at" timestamptz(6) not null default now(), "user_id" uuid not null, "token_hash" text not null, "expires_at" timestamptz(6) not null, "used_at" timestamptz(6) null, constraint "email_verification_tokens_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "email_verification_tokens" add constraint "email_verification_tokens_hash_unique" unique ("token_hash");`,
    );
    this.addSql(
      `create index "email_verification_tokens_user_id_index" on "email_verification_tokens" ("user_id");`,
    );
    this.addSql(
      `alter table "email_verification_tokens" add constraint "email_verification_tokens_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(`alter table "users" drop constraint users_password_needs_verified_email;`);
    this.addSql(`
      insert into email_verification_tokens (id, created_at, user_id, token_hash, expires_at)
      select id, created_at, user_id, token_hash, expires_at from email_tokens where purpose = 'verify_email';`);
    this.addSql(`
      update users u set password_hash = t.password_hash, name = t.name
        from email_tokens t
       where t.user_id = u.id and t.purpose = 'verify_email' and u.password_hash is null;`);
    this.addSql(`drop table if exists "email_tokens" cascade;`);
    this.addSql(`alter table "users" drop column "credential_version";`);
  }
}
