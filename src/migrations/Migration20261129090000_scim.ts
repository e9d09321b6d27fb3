import { Migration } from '@mikro-orm/migrations';

/**
 * What SCIM keeps beside the users and groups it provisions: the identity provider's ids and name
 * parts. Unique per organization, so two provisioning requests for one externalId cannot both win.
 */
export class Migration20261129090000_scim extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "scim_groups" ("id" uuid not null default gen_random_uuid(), "created_at" timestamptz not null default now(), "organization_id" uuid not null, "group_id" uuid not null, "external_id" text null, constraint "scim_groups_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "scim_groups" add constraint "scim_groups_org_external_id_unique" unique ("organization_id", "external_id");`,
    );
    this.addSql(`alter table "scim_groups" add constraint "scim_groups_group_unique" unique ("group_id");`);
    this.addSql(
      `create table "scim_users" ("id" uuid not null default gen_random_uuid(), "created_at" timestamptz not null default now(), "organization_id" uuid not null, "user_id" uuid not null, "external_id" text null, "given_name" text null, "family_name" text null, "updated_at" timestamptz not null default now(), constraint "scim_users_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "scim_users_user_id_index" on "scim_users" ("user_id");`);
    this.addSql(
      `alter table "scim_users" add constraint "scim_users_org_external_id_unique" unique ("organization_id", "external_id");`,
    );
    this.addSql(
      `alter table "scim_users" add constraint "scim_users_org_user_unique" unique ("organization_id", "user_id");`,
    );
    this.addSql(
      `alter table "scim_groups" add constraint "scim_groups_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "scim_groups" add constraint "scim_groups_group_id_foreign" foreign key ("group_id") references "groups" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "scim_users" add constraint "scim_users_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "scim_users" add constraint "scim_users_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "scim_groups" cascade;`);
    this.addSql(`drop table if exists "scim_users" cascade;`);
  }
}
