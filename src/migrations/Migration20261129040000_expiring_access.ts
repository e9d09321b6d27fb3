import { Migration } from '@mikro-orm/migrations';

/**
 * Access that expires: `expires_at` on workforce and external memberships and on collaborator
 * grants. From that instant the policy's queries treat the grant as absent (`expires_at is null or
 * expires_at > now()`); a sweeper deletes it later. `expiry_warned_at` remembers the warning mail to
 * the organization's admins, so it goes once per grant. Internal users (admin, member) never expire:
 * a trigger clears the expiry of a membership that is or becomes internal, whatever the code does. The partial indexes serve the sweeper and the
 * warning, which look only at grants that expire.
 */
export class Migration20261129040000_expiring_access extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "memberships" add column "expires_at" timestamptz null, add column "expiry_warned_at" timestamptz null;`,
    );
    // A trigger rather than a check constraint: a guest who becomes internal (a verified sign-up on the
    // organization's domain upgrades an external membership) keeps no expiry, instead of failing.
    this.addSql(`
      create function memberships_internal_never_expire() returns trigger language plpgsql as $$
      begin
        if new.type in ('admin', 'member') then
          new.expires_at := null;
          new.expiry_warned_at := null;
        end if;
        return new;
      end $$;`);
    this.addSql(`
      create trigger memberships_internal_never_expire before insert or update on memberships
      for each row execute function memberships_internal_never_expire();`);
    this.addSql(
      `create index "memberships_expires_at_idx" on "memberships" ("expires_at") where expires_at is not null;`,
    );
    this.addSql(
      `alter table "collaborators" add column "expires_at" timestamptz null, add column "expiry_warned_at" timestamptz null;`,
    );
    this.addSql(
      `create index "collaborators_expires_at_idx" on "collaborators" ("expires_at") where expires_at is not null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "collaborators_expires_at_idx";`);
    this.addSql(`alter table "collaborators" drop column "expires_at", drop column "expiry_warned_at";`);
    this.addSql(`drop index if exists "memberships_expires_at_idx";`);
    this.addSql(`drop trigger if exists memberships_internal_never_expire on memberships;`);
    this.addSql(`drop function if exists memberships_internal_never_expire();`);
    this.addSql(`alter table "memberships" drop column "expires_at", drop column "expiry_warned_at";`);
  }
}
