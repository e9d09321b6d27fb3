import { Migration } from '@mikro-orm/migrations';

/**
 * People of trusted identity providers linked to users. Unique (issuer, subject): two first requests
 * at once link once; unique (user, issuer): a provider's new subject with a known email does not take
 * over an account already linked to another subject there.
 */
export class Migration20261129020000_user_identities extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "user_identities" ("id" uuid not null default gen_random_uuid(), "created_at" timestamptz not null default now(), "user_id" uuid not null, "issuer" text not null, "subject" text not null, constraint "user_identities_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "user_identities" add constraint "user_identities_issuer_subject_unique" unique ("issuer", "subject");`,
    );
    this.addSql(
      `alter table "user_identities" add constraint "user_identities_user_issuer_unique" unique ("user_id", "issuer");`,
    );
    this.addSql(
      `alter table "user_identities" add constraint "user_identities_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "user_identities" cascade;`);
  }
}
