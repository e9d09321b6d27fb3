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
 * Each insert or delete of a counted row adds +1 or -1 to the transaction's pending change of its
 * counter (a transaction-local setting, so a rolled-back savepoint takes its part back) and queues a
 * deferred constraint trigger. At commit the first of those applies the whole pending change to the
 * counter row (an upsert: one row update per counter and transaction, however many rows) and, for a
 * growth, compares the new value with the limit that the creating transaction named in
 * `orgs.quota_limit.<quota>` (set_config, transaction-local). The counter row is locked only from
 * that moment to the end of the commit, so concurrent creations in one organization overlap for all
 * their work and queue only for the increment; each sees the value the one before it committed, so
 * the limit is never exceeded, and an over-limit commit fails whole (`QUOTA_EXCEEDED: <quota>
 * <limit>`). Deletes give the room back at their own commit. Rows written without a limit set
 * (seeds, operators) are counted but never refused.
 */
export class Migration20261130040000_quota_usage extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "quota_usage" ("organization_id" uuid not null, "quota" text not null, "used" int not null, constraint "quota_usage_pkey" primary key ("organization_id", "quota"));`,
    );
    this.addSql(
      `alter table "quota_usage" add constraint "quota_usage_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade on delete cascade;`,
    );
    // The quota a row counts against: its table's, or for resources its kind's.
    this.addSql(`
      create function quota_of(counted text, kind text) returns text
      language sql immutable as $$
        select case when counted <> 'kind' then counted
                    when kind = 'project' then 'projects' when kind = 'dataset' then 'datasets'
                    else 'ontologies' end
      $$;`);
    // The transaction's pending change of one counter, in a transaction-local setting.
    this.addSql(`
      create function quota_usage_pending(organization_id uuid, quota text) returns text
      language sql immutable as $$
        select 'orgs.quota_pending_' || replace(organization_id::text, '-', '') || '_' || quota
      $$;`);
    // Immediate, per row: adds +1 or -1 to the transaction's pending change. Cheap and linear: a bulk
    // insert of 100k rows must not update the counter row 100k times (each update of one row in one
    // transaction walks the chain of its earlier versions: quadratic, 5 s for 20k rows).
    this.addSql(`
      create function quota_usage_note() returns trigger
      language plpgsql as $$
      declare
        setting text;
      begin
        if tg_op in ('DELETE', 'UPDATE') and old.organization_id is not null then
          setting := quota_usage_pending(old.organization_id,
                       quota_of(tg_argv[0], case when tg_argv[0] = 'kind' then to_jsonb(old)->>'kind' end));
          perform set_config(setting, (coalesce(nullif(current_setting(setting, true), ''), '0')::int - 1)::text, true);
        end if;
        if tg_op in ('INSERT', 'UPDATE') and new.organization_id is not null then
          setting := quota_usage_pending(new.organization_id,
                       quota_of(tg_argv[0], case when tg_argv[0] = 'kind' then to_jsonb(new)->>'kind' end));
          perform set_config(setting, (coalesce(nullif(current_setting(setting, true), ''), '0')::int + 1)::text, true);
        end if;
        return null;
      end $$;`);
    // Deferred, per row, at commit: the first of a counter's rows applies the transaction's whole
    // pending change and clears it (the others find nothing pending), then checks a growth against
    // the limit the transaction named.
    this.addSql(`
      create function quota_usage_apply() returns trigger
      language plpgsql as $$
      declare
        organization uuid;
        quota_name text;
        setting text;
        pending integer;
        now_used integer;
        quota_limit integer;
      begin
        for organization, quota_name in
          select o, quota_of(tg_argv[0], k)
            from (select old.organization_id as o, case when tg_argv[0] = 'kind' then to_jsonb(old)->>'kind' end as k
                   where tg_op <> 'INSERT'
                  union all
                  select new.organization_id, case when tg_argv[0] = 'kind' then to_jsonb(new)->>'kind' end
                   where tg_op <> 'DELETE') as touched
           where o is not null
        loop
          setting := quota_usage_pending(organization, quota_name);
          pending := coalesce(nullif(current_setting(setting, true), ''), '0')::int;
          continue when pending = 0;
          perform set_config(setting, '0', true);
          if pending < 0 then
            -- No insert: the counter of a deleted organization went with it.
            update quota_usage set used = used + pending
             where organization_id = organization and quota = quota_name;
          else
            insert into quota_usage as u (organization_id, quota, used) values (organization, quota_name, pending)
            on conflict (organization_id, quota) do update set used = u.used + pending
            returning u.used into now_used;
            quota_limit := nullif(current_setting('orgs.quota_limit.' || quota_name, true), '')::integer;
            if now_used > quota_limit then
              raise exception 'QUOTA_EXCEEDED: % % (organization %)', quota_name, quota_limit, organization;
            end if;
          end if;
        end loop;
        return null;
      end $$;`);
    for (const { table, quota } of COUNTED) {
      this.addSql(`
        create trigger ${table}_quota_usage_note after insert or delete or update of organization_id on ${table}
        for each row execute function quota_usage_note('${quota}');`);
      this.addSql(`
        create constraint trigger ${table}_quota_usage after insert or delete or update of organization_id on ${table}
        deferrable initially deferred
        for each row execute function quota_usage_apply('${quota}');`);
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
    for (const { table } of COUNTED) {
      this.addSql(`drop trigger if exists ${table}_quota_usage on ${table};`);
      this.addSql(`drop trigger if exists ${table}_quota_usage_note on ${table};`);
    }
    this.addSql(`drop function if exists quota_usage_apply();`);
    this.addSql(`drop function if exists quota_usage_note();`);
    this.addSql(`drop function if exists quota_usage_pending(uuid, text);`);
    this.addSql(`drop function if exists quota_of(text, text);`);
    this.addSql(`drop table if exists "quota_usage" cascade;`);
  }
}
