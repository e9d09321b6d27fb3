import { Migration } from '@mikro-orm/migrations';

const RIGHTS_TABLES = ['collaborators', 'group_members', 'notification_recipients'];

/**
 * Rights in an organization need a membership in it: every collaborator, group member and
 * notification recipient of an organization's resource is one of its users, held by the database.
 *
 * A composite foreign key onto memberships (organization_id, user_id) would say it best, but the
 * entities cannot declare one (MikroORM maps foreign keys to primary keys; these columns belong to
 * other relations), so migration:check would drop it. These triggers do what its check would do:
 * take the membership row's KEY SHARE lock, so that an insert waits for a removal holding that row
 * and then finds it gone, and refuse at commit a membership deleted while rights still name it.
 * Rows of resources with no organization have a null organization_id and are not checked.
 */
export class Migration20261128110000_rights_need_membership extends Migration {
  override async up(): Promise<void> {
    // Notification recipients get the tenant key the other tenant tables have, so that the same
    // foreign key can hold them.
    this.addSql(`alter table "notification_recipients" add column "organization_id" uuid null;`);
    this.addSql(
      `alter table "notification_recipients" add constraint "notification_recipients_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `create index "notification_recipients_organization_id_index" on "notification_recipients" ("organization_id");`,
    );
    this.addSql(`
      update notification_recipients nr set organization_id = n.organization_id
        from notifications n where n.id = nr.notification_id;`);

    // Rights left without a membership by removals that raced grants before this migration. Group
    // places go (a group is for the organization's own users); collaborator and recipient rights are
    // kept visible instead of silently dropped: their holder becomes `external`, as a resource
    // invitation would make them, and an admin can remove them (the removal now takes it all).
    this.addSql(`
      with orphans as (
        delete from group_members gm
         where not exists (select 1 from memberships m
                            where m.organization_id = gm.organization_id and m.user_id = gm.user_id)
        returning gm.organization_id, gm.group_id, gm.user_id
      )
      insert into audit_events (id, created_at, organization_id, actor_id, action, target_type, target_id, data)
      select gen_random_uuid(), now(), organization_id, null, 'group.member_removed', 'group', group_id,
             jsonb_build_object('userId', user_id, 'reason', 'no membership in the organization')
        from orphans;`);
    this.addSql(`
      with holders as (
        select organization_id, user_id from collaborators where organization_id is not null
        union
        select organization_id, user_id from notification_recipients where organization_id is not null
      ), restored as (
        insert into memberships (id, organization_id, user_id, type, created_at)
        select gen_random_uuid(), h.organization_id, h.user_id, 'external', now() from holders h
         where not exists (select 1 from memberships m
                            where m.organization_id = h.organization_id and m.user_id = h.user_id)
        returning organization_id, user_id
      )
      insert into audit_events (id, created_at, organization_id, actor_id, action, target_type, target_id, data)
      select gen_random_uuid(), now(), organization_id, null, 'membership.added', 'user', user_id,
             jsonb_build_object('type', 'external', 'reason', 'held rights on resources without a membership')
        from restored;`);

    this.addSql(`
      create function rights_need_membership() returns trigger
      language plpgsql as $$
      begin
        if new.organization_id is null then
          return new;
        end if;
        perform 1 from memberships
         where organization_id = new.organization_id and user_id = new.user_id
           for key share;
        if not found then
          raise exception using
            errcode = 'foreign_key_violation',
            constraint = tg_table_name || '_need_membership',
            message = format('NOT_ORG_MEMBER: user %s has no membership in organization %s',
                             new.user_id, new.organization_id);
        end if;
        return new;
      end $$;`);
    for (const table of RIGHTS_TABLES) {
      this.addSql(`
        create trigger ${table}_need_membership before insert or update of organization_id, user_id on ${table}
        for each row execute function rights_need_membership();`);
    }

    // At commit, so that the order of statements in a removal does not matter; organization and user
    // deletions cascade to the rights in the same statement and pass.
    this.addSql(`
      create function memberships_leave_no_rights() returns trigger
      language plpgsql as $$
      begin
        if exists (select 1 from collaborators where organization_id = old.organization_id and user_id = old.user_id)
           or exists (select 1 from group_members where organization_id = old.organization_id and user_id = old.user_id)
           or exists (select 1 from notification_recipients
                       where organization_id = old.organization_id and user_id = old.user_id) then
          raise exception 'RIGHTS_WITHOUT_MEMBERSHIP: user % keeps rights in organization %',
            old.user_id, old.organization_id;
        end if;
        return null;
      end $$;`);
    this.addSql(`
      create constraint trigger memberships_leave_no_rights after delete on memberships
      deferrable initially deferred
      for each row execute function memberships_leave_no_rights();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists memberships_leave_no_rights on memberships;`);
    this.addSql(`drop function if exists memberships_leave_no_rights();`);
    for (const table of RIGHTS_TABLES) {
      this.addSql(`drop trigger if exists ${table}_need_membership on ${table};`);
    }
    this.addSql(`drop function if exists rights_need_membership();`);
    this.addSql(
      `alter table "notification_recipients" drop constraint "notification_recipients_organization_id_foreign";`,
    );
    this.addSql(`drop index "notification_recipients_organization_id_index";`);
    this.addSql(`alter table "notification_recipients" drop column "organization_id";`);
  }
}
