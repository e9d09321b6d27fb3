import { Migration } from '@mikro-orm/migrations';

export class Migration20261127203650_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "audit_events" ("id" uuid not null default gen_random_uuid(), "created_at" timestamptz not null default now(), "organization_id" uuid null, "actor_id" uuid null, "action" text not null, "target_type" text not null, "target_id" uuid null, "data" jsonb not null default '{}', constraint "audit_events_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "audit_events_org_created_idx" on "audit_events" ("organization_id", "created_at", "id");`,
    );

    this.addSql(
      `create table "member_search_words" ("organization_id" uuid not null, "word" text not null, "user_id" uuid not null, constraint "member_search_words_pkey" primary key ("organization_id", "word", "user_id"));`,
    );
    this.addSql(`create index "member_search_words_user_idx" on "member_search_words" ("user_id");`);
    this.addSql(
      `create index "member_search_words_prefix_idx" on "member_search_words" ("organization_id", "word" text_pattern_ops, "user_id");`,
    );

    this.addSql(
      `create table "organizations" ("id" uuid not null default gen_random_uuid(), "created_at" timestamptz not null default now(), "name" text not null, "is_workforce" boolean not null default false, constraint "organizations_pkey" primary key ("id"));`,
    );
    this.addSql(`create unique index "organizations_name_unique" on "organizations" (lower("name"));`);

    this.addSql(
      `create table "groups" ("id" uuid not null default gen_random_uuid(), "created_at" timestamptz not null default now(), "organization_id" uuid not null, "name" text not null, "description" text not null default '', constraint "groups_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create unique index "groups_org_name_unique" on "groups" ("organization_id", lower("name"));`,
    );

    this.addSql(
      `create table "organization_domains" ("id" uuid not null default gen_random_uuid(), "created_at" timestamptz not null default now(), "organization_id" uuid not null, "domain" text not null, constraint "organization_domains_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "organization_domains_organization_id_index" on "organization_domains" ("organization_id");`,
    );
    this.addSql(
      `alter table "organization_domains" add constraint "organization_domains_domain_unique" unique ("domain");`,
    );

    this.addSql(
      `create table "tags" ("id" uuid not null default gen_random_uuid(), "created_at" timestamptz not null default now(), "organization_id" uuid not null, "name" text not null, constraint "tags_pkey" primary key ("id"));`,
    );
    this.addSql(`create unique index "tags_org_name_unique" on "tags" ("organization_id", lower("name"));`);

    this.addSql(
      `create table "users" ("id" uuid not null default gen_random_uuid(), "created_at" timestamptz not null default now(), "email" text not null, "name" text not null default '', "password_hash" text null, "email_verified_at" timestamptz null, "is_platform_admin" boolean not null default false, constraint "users_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "users" add constraint "users_email_unique" unique ("email");`);
    this.addSql(`create index "users_platform_admin_idx" on "users" ("id") where "is_platform_admin";`);

    this.addSql(
      `create table "resources" ("id" uuid not null default gen_random_uuid(), "created_at" timestamptz not null default now(), "kind" text check ("kind" in ('project', 'dataset', 'ontology')) not null, "organization_id" uuid null, "owner_id" uuid not null, "title" text not null, "description" text not null default '', "structure" jsonb null, "ontology_id" uuid null, "updated_at" timestamptz not null default now(), constraint "resources_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "resources_ontology_id_index" on "resources" ("ontology_id");`);
    this.addSql(`create index "resources_owner_idx" on "resources" ("owner_id", "kind");`);
    this.addSql(
      `create index "resources_org_kind_created_idx" on "resources" ("organization_id", "kind", "created_at", "id");`,
    );

    this.addSql(
      `create table "resource_groups" ("id" uuid not null default gen_random_uuid(), "created_at" timestamptz not null default now(), "resource_id" uuid not null, "group_id" uuid not null, "role" text not null, "organization_id" uuid not null, constraint "resource_groups_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "resource_groups_organization_id_index" on "resource_groups" ("organization_id");`,
    );
    this.addSql(`create index "resource_groups_group_idx" on "resource_groups" ("group_id", "resource_id");`);
    this.addSql(
      `alter table "resource_groups" add constraint "resource_groups_resource_group_unique" unique ("resource_id", "group_id");`,
    );

    this.addSql(
      `create table "project_tags" ("id" uuid not null default gen_random_uuid(), "created_at" timestamptz not null default now(), "project_id" uuid not null, "tag_id" uuid not null, "organization_id" uuid not null, constraint "project_tags_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "project_tags_organization_id_index" on "project_tags" ("organization_id");`);
    this.addSql(`create index "project_tags_tag_project_idx" on "project_tags" ("tag_id", "project_id");`);
    this.addSql(
      `alter table "project_tags" add constraint "project_tags_project_tag_unique" unique ("project_id", "tag_id");`,
    );

    this.addSql(
      `create table "project_datasets" ("id" uuid not null default gen_random_uuid(), "created_at" timestamptz not null default now(), "project_id" uuid not null, "dataset_id" uuid not null, constraint "project_datasets_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "project_datasets_dataset_idx" on "project_datasets" ("dataset_id");`);
    this.addSql(
      `alter table "project_datasets" add constraint "project_datasets_project_dataset_unique" unique ("project_id", "dataset_id");`,
    );

    this.addSql(
      `create table "notifications" ("id" uuid not null default gen_random_uuid(), "created_at" timestamptz not null default now(), "project_id" uuid not null, "organization_id" uuid null, "name" text not null, "events" text[] not null, constraint "notifications_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "notifications_project_id_index" on "notifications" ("project_id");`);
    this.addSql(`create index "notifications_organization_id_index" on "notifications" ("organization_id");`);

    this.addSql(
      `create table "notification_recipients" ("id" uuid not null default gen_random_uuid(), "created_at" timestamptz not null default now(), "notification_id" uuid not null, "user_id" uuid not null, constraint "notification_recipients_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "notification_recipients_user_id_index" on "notification_recipients" ("user_id");`,
    );
    this.addSql(
      `alter table "notification_recipients" add constraint "notification_recipients_unique" unique ("notification_id", "user_id");`,
    );

    this.addSql(
      `create table "memberships" ("id" uuid not null default gen_random_uuid(), "created_at" timestamptz not null default now(), "organization_id" uuid not null, "user_id" uuid not null, "type" text check ("type" in ('admin', 'member', 'workforce', 'external')) not null, constraint "memberships_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "memberships_user_idx" on "memberships" ("user_id");`);
    this.addSql(
      `create index "memberships_org_joined_idx" on "memberships" ("organization_id", "created_at", "user_id");`,
    );
    this.addSql(
      `create unique index "memberships_one_internal_org" on "memberships" ("user_id") where "type" in ('admin', 'member');`,
    );
    this.addSql(
      `alter table "memberships" add constraint "memberships_org_user_unique" unique ("organization_id", "user_id");`,
    );

    this.addSql(
      `create table "group_members" ("id" uuid not null default gen_random_uuid(), "created_at" timestamptz not null default now(), "group_id" uuid not null, "user_id" uuid not null, "organization_id" uuid not null, constraint "group_members_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "group_members_organization_id_index" on "group_members" ("organization_id");`);
    this.addSql(`create index "group_members_user_idx" on "group_members" ("user_id", "group_id");`);
    this.addSql(
      `alter table "group_members" add constraint "group_members_group_user_unique" unique ("group_id", "user_id");`,
    );

    this.addSql(
      `create table "email_verification_tokens" ("id" uuid not null default gen_random_uuid(), "created_at" timestamptz not null default now(), "user_id" uuid not null, "token_hash" text not null, "expires_at" timestamptz not null, "used_at" timestamptz null, constraint "email_verification_tokens_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "email_verification_tokens_user_id_index" on "email_verification_tokens" ("user_id");`,
    );
    this.addSql(
      `alter table "email_verification_tokens" add constraint "email_verification_tokens_hash_unique" unique ("token_hash");`,
    );

    this.addSql(
      `create table "collaborators" ("id" uuid not null default gen_random_uuid(), "created_at" timestamptz not null default now(), "resource_id" uuid not null, "user_id" uuid not null, "role" text not null, "organization_id" uuid null, constraint "collaborators_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "collaborators_organization_id_index" on "collaborators" ("organization_id");`);
    this.addSql(`create index "collaborators_resource_role_idx" on "collaborators" ("resource_id", "role");`);
    this.addSql(`create index "collaborators_user_idx" on "collaborators" ("user_id", "resource_id");`);
    this.addSql(
      `alter table "collaborators" add constraint "collaborators_resource_user_unique" unique ("resource_id", "user_id");`,
    );

    this.addSql(
      `alter table "groups" add constraint "groups_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "organization_domains" add constraint "organization_domains_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "tags" add constraint "tags_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "resources" add constraint "resources_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "resources" add constraint "resources_owner_id_foreign" foreign key ("owner_id") references "users" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "resources" add constraint "resources_ontology_id_foreign" foreign key ("ontology_id") references "resources" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table "resource_groups" add constraint "resource_groups_resource_id_foreign" foreign key ("resource_id") references "resources" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "resource_groups" add constraint "resource_groups_group_id_foreign" foreign key ("group_id") references "groups" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "resource_groups" add constraint "resource_groups_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "project_tags" add constraint "project_tags_project_id_foreign" foreign key ("project_id") references "resources" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "project_tags" add constraint "project_tags_tag_id_foreign" foreign key ("tag_id") references "tags" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "project_tags" add constraint "project_tags_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "project_datasets" add constraint "project_datasets_project_id_foreign" foreign key ("project_id") references "resources" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "project_datasets" add constraint "project_datasets_dataset_id_foreign" foreign key ("dataset_id") references "resources" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "notifications" add constraint "notifications_project_id_foreign" foreign key ("project_id") references "resources" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "notifications" add constraint "notifications_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "notification_recipients" add constraint "notification_recipients_notification_id_foreign" foreign key ("notification_id") references "notifications" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "notification_recipients" add constraint "notification_recipients_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "memberships" add constraint "memberships_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "memberships" add constraint "memberships_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "group_members" add constraint "group_members_group_id_foreign" foreign key ("group_id") references "groups" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "group_members" add constraint "group_members_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "group_members" add constraint "group_members_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "email_verification_tokens" add constraint "email_verification_tokens_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "collaborators" add constraint "collaborators_resource_id_foreign" foreign key ("resource_id") references "resources" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "collaborators" add constraint "collaborators_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "collaborators" add constraint "collaborators_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "groups" drop constraint "groups_organization_id_foreign";`);

    this.addSql(
      `alter table "organization_domains" drop constraint "organization_domains_organization_id_foreign";`,
    );

    this.addSql(`alter table "tags" drop constraint "tags_organization_id_foreign";`);

    this.addSql(`alter table "resources" drop constraint "resources_organization_id_foreign";`);

    this.addSql(`alter table "resource_groups" drop constraint "resource_groups_organization_id_foreign";`);

    this.addSql(`alter table "project_tags" drop constraint "project_tags_organization_id_foreign";`);

    this.addSql(`alter table "notifications" drop constraint "notifications_organization_id_foreign";`);

    this.addSql(`alter table "memberships" drop constraint "memberships_organization_id_foreign";`);

    this.addSql(`alter table "group_members" drop constraint "group_members_organization_id_foreign";`);

    this.addSql(`alter table "collaborators" drop constraint "collaborators_organization_id_foreign";`);

    this.addSql(`alter table "resource_groups" drop constraint "resource_groups_group_id_foreign";`);

    this.addSql(`alter table "group_members" drop constraint "group_members_group_id_foreign";`);

    this.addSql(`alter table "project_tags" drop constraint "project_tags_tag_id_foreign";`);

    this.addSql(`alter table "resources" drop constraint "resources_owner_id_foreign";`);

    this.addSql(
      `alter table "notification_recipients" drop constraint "notification_recipients_user_id_foreign";`,
    );

    this.addSql(`alter table "memberships" drop constraint "memberships_user_id_foreign";`);

    this.addSql(`alter table "group_members" drop constraint "group_members_user_id_foreign";`);

    this.addSql(
      `alter table "email_verification_tokens" drop constraint "email_verification_tokens_user_id_foreign";`,
    );

    this.addSql(`alter table "collaborators" drop constraint "collaborators_user_id_foreign";`);

    this.addSql(`alter table "resources" drop constraint "resources_ontology_id_foreign";`);

    this.addSql(`alter table "resource_groups" drop constraint "resource_groups_resource_id_foreign";`);

    this.addSql(`alter table "project_tags" drop constraint "project_tags_project_id_foreign";`);

    this.addSql(`alter table "project_datasets" drop constraint "project_datasets_project_id_foreign";`);

    this.addSql(`alter table "project_datasets" drop constraint "project_datasets_dataset_id_foreign";`);

    this.addSql(`alter table "notifications" drop constraint "notifications_project_id_foreign";`);

    this.addSql(`alter table "collaborators" drop constraint "collaborators_resource_id_foreign";`);

    this.addSql(
      `alter table "notification_recipients" drop constraint "notification_recipients_notification_id_foreign";`,
    );

    this.addSql(`drop table if exists "audit_events" cascade;`);

    this.addSql(`drop table if exists "member_search_words" cascade;`);

    this.addSql(`drop table if exists "organizations" cascade;`);

    this.addSql(`drop table if exists "groups" cascade;`);

    this.addSql(`drop table if exists "organization_domains" cascade;`);

    this.addSql(`drop table if exists "tags" cascade;`);

    this.addSql(`drop table if exists "users" cascade;`);

    this.addSql(`drop table if exists "resources" cascade;`);

    this.addSql(`drop table if exists "resource_groups" cascade;`);

    this.addSql(`drop table if exists "project_tags" cascade;`);

    this.addSql(`drop table if exists "project_datasets" cascade;`);

    this.addSql(`drop table if exists "notifications" cascade;`);

    this.addSql(`drop table if exists "notification_recipients" cascade;`);

    this.addSql(`drop table if exists "memberships" cascade;`);

    this.addSql(`drop table if exists "group_members" cascade;`);

    this.addSql(`drop table if exists "email_verification_tokens" cascade;`);

    this.addSql(`drop table if exists "collaborators" cascade;`);
  }
}
