import { Migration } from '@mikro-orm/migrations';

/**
 * The tag filter of project lists reads each project's tags from its own row: `resources.tag_ids`,
 * kept equal to the project's `project_tags` rows by triggers in the writing transaction and indexed by
 * GIN, so "has all of these tags" is one predicate that the planner answers either from the GIN index
 * (few matches: their rows only) or while walking the list's keyset index (many matches: stops at the
 * page's end). Measurements and the alternatives in docs/decisions.md ("Tag filter structure").
 */
export class Migration20261130020000_project_tag_ids extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "resources" add column "tag_ids" uuid[] not null default '{}';`);
    this.addSql(`
      update resources r set tag_ids = s.tag_ids
        from (select project_id, array_agg(tag_id order by tag_id) as tag_ids from project_tags group by project_id) s
       where s.project_id = r.id;`);
    this.addSql(`create index "resources_tag_ids_gin" on "resources" using gin ("tag_ids");`);
    // The planner chooses between the GIN index and the keyset walk from the tags' frequencies.
    this.addSql(`analyze "resources" ("tag_ids");`);

    // Statement-level with transition tables: a bulk insert or a tag's cascade delete updates each
    // project once. The arrays are changed relative to the row's current value (|| and removal), not
    // recomputed from project_tags: under READ COMMITTED an update that waited for a concurrent tagging
    // of the same project is re-applied to the row that tagging wrote, so both tags stay; a recount
    // would see only the rows committed when its statement began. Rows are locked in id order first so
    // that two bulk statements cannot deadlock on each other's projects.
    this.addSql(`
      create function project_tags_added() returns trigger
      language plpgsql as $$
      begin
        perform 1 from resources where id in (select project_id from added) order by id for no key update;
        update resources r set tag_ids = r.tag_ids || a.tag_ids
          from (select project_id, array_agg(tag_id) as tag_ids from added group by project_id) a
         where r.id = a.project_id;
        return null;
      end $$;`);
    this.addSql(`
      create function project_tags_removed() returns trigger
      language plpgsql as $$
      begin
        perform 1 from resources where id in (select project_id from removed) order by id for no key update;
        update resources r set tag_ids = array(select t from unnest(r.tag_ids) t where t <> all(d.tag_ids))
          from (select project_id, array_agg(tag_id) as tag_ids from removed group by project_id) d
         where r.id = d.project_id;
        return null;
      end $$;`);
    // Nothing moves a tagging today; should something do it, the arrays follow.
    this.addSql(`
      create function project_tags_moved() returns trigger
      language plpgsql as $$
      begin
        update resources set tag_ids = array_remove(tag_ids, old.tag_id) where id = old.project_id;
        update resources set tag_ids = tag_ids || new.tag_id where id = new.project_id;
        return null;
      end $$;`);
    this.addSql(`
      create trigger project_tags_added after insert on project_tags
      referencing new table as added for each statement execute function project_tags_added();`);
    this.addSql(`
      create trigger project_tags_removed after delete on project_tags
      referencing old table as removed for each statement execute function project_tags_removed();`);
    this.addSql(`
      create trigger project_tags_moved after update of project_id, tag_id on project_tags
      for each row when (old.project_id is distinct from new.project_id or old.tag_id is distinct from new.tag_id)
      execute function project_tags_moved();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists project_tags_moved on project_tags;`);
    this.addSql(`drop trigger if exists project_tags_removed on project_tags;`);
    this.addSql(`drop trigger if exists project_tags_added on project_tags;`);
    this.addSql(`drop function if exists project_tags_moved();`);
    this.addSql(`drop function if exists project_tags_removed();`);
    this.addSql(`drop function if exists project_tags_added();`);
    this.addSql(`drop index if exists "resources_tag_ids_gin";`);
    this.addSql(`alter table "resources" drop column if exists "tag_ids";`);
  }
}
