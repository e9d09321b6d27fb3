import { Migration } from '@mikro-orm/migrations';

/**
 * Invitations people can see: one row per pending invitation of an invited user (no password yet)
 * to an organization, with who invited them and until when it holds. The row goes with the
 * membership it stands for (trigger), so an invitation never outlives what it granted.
 * Existing invited users' memberships become invitations that expire 14 days from now.
 */
export class Migration20261129070000_invitations extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "invitations" ("id" uuid not null default gen_random_uuid(), "created_at" timestamptz not null default now(), "organization_id" uuid not null, "user_id" uuid not null, "invited_by_id" uuid null, "sent_at" timestamptz not null, "expires_at" timestamptz not null, constraint "invitations_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "invitations_invited_by_idx" on "invitations" ("invited_by_id");`);
    this.addSql(`create index "invitations_user_idx" on "invitations" ("user_id");`);
    this.addSql(
      `create index "invitations_org_created_idx" on "invitations" ("organization_id", "created_at", "id");`,
    );
    this.addSql(
      `alter table "invitations" add constraint "invitations_org_user_unique" unique ("organization_id", "user_id");`,
    );
    this.addSql(
      `alter table "invitations" add constraint "invitations_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "invitations" add constraint "invitations_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "invitations" add constraint "invitations_invited_by_id_foreign" foreign key ("invited_by_id") references "users" ("id") on update cascade on delete set null;`,
    );
    this.addSql(`
      create function memberships_end_invitation() returns trigger
      language plpgsql as $$
      begin
        delete from invitations where organization_id = old.organization_id and user_id = old.user_id;
        return null;
      end $$;`);
    this.addSql(`
      create trigger memberships_end_invitation after delete on memberships
      for each row execute function memberships_end_invitation();`);
    this.addSql(`
      insert into invitations (id, created_at, organization_id, user_id, invited_by_id, sent_at, expires_at)
      select gen_random_uuid(), m.created_at, m.organization_id, m.user_id, null, m.created_at, now() + interval '14 days'
        from memberships m join users u on u.id = m.user_id
       where u.password_hash is null
      on conflict do nothing;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists memberships_end_invitation on memberships;`);
    this.addSql(`drop function if exists memberships_end_invitation();`);
    this.addSql(`drop table if exists "invitations" cascade;`);
  }
}
