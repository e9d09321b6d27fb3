import { Migration } from '@mikro-orm/migrations';

/** The tables whose rows count against a quota; resources count per kind (see quota_usage_count). */
const COUNTED: { table: string; quota: string }[] = [
  { table: 'resources', quota: 'kind' },
  { table: 'tags', quota: 'tags' },
  { table: 'groups', quota: 'groups' },
  { table: 'webhook_endpoints', quota: 'webhooks' },
];

/**
 * Per-(organization, quota) usage counters, kept by the database, replacing the advisory lock and
 * COUNT(*) that serialized every creation in an organization behind a full count of its rows.
 *
 * Each insert or delete of a counted row queues a deferred constraint trigger; at commit it moves the
 * counter by one (an upsert) and, for an insert, compares the new value with the limit that the
 * creating transaction named in `orgs.quota_limit.<quota>` (set_config, transaction-local). The
 * counter row is locked only from that moment to the end of the commit, so concurrent creations in
 * one organization overlap for all their work and queue only for the increment; each sees the
 * value the one before it committed, so the limit is never exceeded, and an over-limit commit fails
 * whole (`QUOTA_EXCEEDED: <quota> <limit>`). Deletes give the room back at their own commit. Rows
 * written without a limit set (seeds, operators) are counted but never refused.
 */
export class Migration20261130040000_quota_usage extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "quota_usage" ("organization_id" uuid not null, "quota" text not null, "used" int not null, constraint "quota_usage_pkey" primary key ("organization_id", "quota"));`,
    );
    this.addSql(
      `alter table "quota_usage" add constraint "quota_usage_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(`
      create function quota_usage_count() returns trigger
      language plpgsql as $$
      declare
        quota_name text;
        now_used integer;
        quota_limit integer;
      begin
        if tg_op in ('DELETE', 'UPDATE') and old.organization_id is not null then
          quota_name := tg_argv[0];
          if quota_name = 'kind' then
            quota_name := case old.kind when 'project' then 'projects' when 'dataset' then 'datasets' else 'ontologies' end;
          end if;
          -- No insert: the counter of a deleted organization went with it.
          update quota_usage set used = used - 1
           where organization_id = old.organization_id and quota = quota_name;
        end if;
        if tg_op in ('INSERT', 'UPDATE') and new.organization_id is not null then
          quota_name := tg_argv[0];
          if quota_name = 'kind' then
            quota_name := case new.kind when 'project' then 'projects' when 'dataset' then 'datasets' else 'ontologies' end;
          end if;
          insert into quota_usage as u (organization_id, quota, used) values (new.organization_id, quota_name, 1)
          on conflict (organization_id, quota) do update set used = u.used + 1
          returning u.used into now_used;
          quota_limit := nullif(current_setting('orgs.quota_limit.' || quota_name, true), '')::integer;
          if now_used > quota_limit then
            raise exception 'QUOTA_EXCEEDED: % % (organization %)', quota_name, quota_limit, new.organization_id;
          end if;
        end if;
        return null;
      end $$;`);
    for (const { table, quota } of COUNTED) {
      this.addSql(`
        create constraint trigger ${table}_quota_usage after insert or delete or update of organization_id on ${table}
        deferrable initially deferred
        for each row execute function quota_usage_count('${quota}');`);
    }
    // After the triggers: creating them locked the tables against writes until this commits, so the
    // counts below are exact.
    this.addSql(`
      insert into quota_usage (organization_id, quota, used)
      select organization_id,
             case kind when 'project' then 'projects' when 'dataset' then 'datasets' else 'ontologies' end,
             count(*)
        from resources where organization_id is not null group by 1, 2
      union all select organization_id, 'tags', count(*) from tags group by 1
      union all select organization_id, 'groups', count(*) from groups group by 1
      union all select organization_id, 'webhooks', count(*) from webhook_endpoints group by 1;`);
  }

  override async down(): Promise<void> {
    for (const { table } of COUNTED) this.addSql(`drop trigger if exists ${table}_quota_usage on ${table};`);
    this.addSql(`drop function if exists quota_usage_count();`);
    this.addSql(`drop table if exists "quota_usage" cascade;`);
  }
}
