import { Migration } from '@mikro-orm/migrations';

/**
 * Service accounts and their API keys. A service account is a `users` row with the organization it
 * belongs to (`service_account_organization_id`), so memberships, groups, collaborators and the
 * policy engine treat it as any user. What makes it a machine is held here by the database:
 *
 * - it never has a password, nor the platform admin flag (check users_service_account_no_password);
 * - its one membership is an internal one in its own organization, which it never leaves except by
 *   being deleted (triggers memberships_service_account_home and memberships_service_account_kept);
 * - it holds no right outside its organization, not even on resources of no organization (trigger
 *   *_service_account_home on collaborators and notification recipients).
 *
 * API keys are stored as the SHA-256 of the whole key, unique: a bearer key is one index lookup.
 */
export class Migration20261129010000_service_accounts extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "users" add column "service_account_organization_id" uuid null, add column "disabled_at" timestamptz null, add column "deleted_at" timestamptz null;`,
    );
    this.addSql(
      `alter table "users" add constraint "users_service_account_organization_id_foreign" foreign key ("service_account_organization_id") references "organizations" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `create index "users_service_accounts_idx" on "users" ("service_account_organization_id", "created_at", "id") where "service_account_organization_id" is not null;`,
    );
    this.addSql(
      `alter table "users" add constraint users_only_service_accounts_disabled check(service_account_organization_id is not null or (disabled_at is null and deleted_at is null));`,
    );
    this.addSql(
      `alter table "users" add constraint users_service_account_no_password check(service_account_organization_id is null or (password_hash is null and not is_platform_admin));`,
    );

    this.addSql(
      `create table "api_keys" ("id" uuid not null default gen_random_uuid(), "created_at" timestamptz not null default now(), "organization_id" uuid not null, "service_account_id" uuid not null, "name" text not null, "public_id" text not null, "key_hash" text not null, "expires_at" timestamptz null, "last_used_at" timestamptz null, constraint "api_keys_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "api_keys" add constraint "api_keys_public_id_unique" unique ("public_id");`);
    this.addSql(`alter table "api_keys" add constraint "api_keys_key_hash_unique" unique ("key_hash");`);
    this.addSql(
      `create index "api_keys_service_account_created_idx" on "api_keys" ("service_account_id", "created_at", "id");`,
    );
    this.addSql(
      `alter table "api_keys" add constraint "api_keys_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "api_keys" add constraint "api_keys_service_account_id_foreign" foreign key ("service_account_id") references "users" ("id") on update cascade on delete cascade;`,
    );

    // A service account's membership: internal, in its own organization, and not after its deletion.
    this.addSql(`
      create function memberships_service_account_home() returns trigger
      language plpgsql as $$
      declare
        home uuid;
        deleted timestamptz;
      begin
        select service_account_organization_id, deleted_at into home, deleted from users where id = new.user_id;
        if home is not null
           and (home <> new.organization_id or deleted is not null or new.type not in ('admin', 'member')) then
          raise exception using
            errcode = 'check_violation',
            constraint = 'service_account_home',
            message = format('SERVICE_ACCOUNT_OUTSIDE_ORGANIZATION: service account %s works only in organization %s',
                             new.user_id, home);
        end if;
        return new;
      end $$;`);
    this.addSql(`
      create trigger memberships_service_account_home before insert or update of organization_id, user_id, type
      on memberships for each row execute function memberships_service_account_home();`);

    // Removing a service account from its organization is deleting it (which marks it deleted first):
    // a live service account without its membership would be a key that works nowhere yet still signs in.
    // Deletions cascading from the organization or the user pass: those rows are already gone.
    this.addSql(`
      create function memberships_service_account_kept() returns trigger
      language plpgsql as $$
      begin
        if exists (select 1 from users
                    where id = old.user_id and service_account_organization_id = old.organization_id
                      and deleted_at is null)
           and exists (select 1 from organizations where id = old.organization_id) then
          raise exception using
            errcode = 'check_violation',
            constraint = 'service_account_membership_kept',
            message = format('SERVICE_ACCOUNT_MEMBERSHIP: service account %s leaves its organization only by deletion',
                             old.user_id);
        end if;
        return old;
      end $$;`);
    this.addSql(`
      create trigger memberships_service_account_kept before delete on memberships
      for each row execute function memberships_service_account_kept();`);

    // Rights of a service account: only on its organization's resources (resources of no organization
    // need no membership, so the membership trigger alone would not keep it home).
    this.addSql(`
      create function rights_service_account_home() returns trigger
      language plpgsql as $$
      declare
        home uuid;
      begin
        select service_account_organization_id into home from users where id = new.user_id;
        if home is not null and new.organization_id is distinct from home then
          raise exception using
            errcode = 'check_violation',
            constraint = 'service_account_home',
            message = format('SERVICE_ACCOUNT_OUTSIDE_ORGANIZATION: service account %s works only in organization %s',
                             new.user_id, home);
        end if;
        return new;
      end $$;`);
    // No column list (`update of ...`): it would make the triggers depend on organization_id, which
    // the rights_need_membership migration's down drops from notification_recipients.
    for (const table of ['collaborators', 'notification_recipients']) {
      this.addSql(`
        create trigger ${table}_service_account_home before insert or update on ${table}
        for each row execute function rights_service_account_home();`);
    }
  }

  override async down(): Promise<void> {
    for (const table of ['collaborators', 'notification_recipients']) {
      this.addSql(`drop trigger if exists ${table}_service_account_home on ${table};`);
    }
    this.addSql(`drop function if exists rights_service_account_home();`);
    this.addSql(`drop trigger if exists memberships_service_account_kept on memberships;`);
    this.addSql(`drop function if exists memberships_service_account_kept();`);
    this.addSql(`drop trigger if exists memberships_service_account_home on memberships;`);
    this.addSql(`drop function if exists memberships_service_account_home();`);
    this.addSql(`drop table if exists "api_keys" cascade;`);
    this.addSql(`alter table "users" drop constraint "users_service_account_organization_id_foreign";`);
    this.addSql(`drop index "users_service_accounts_idx";`);
    this.addSql(`alter table "users" drop constraint users_only_service_accounts_disabled;`);
    this.addSql(`alter table "users" drop constraint users_service_account_no_password;`);
    this.addSql(
      `alter table "users" drop column "service_account_organization_id", drop column "disabled_at", drop column "deleted_at";`,
    );
  }
}
