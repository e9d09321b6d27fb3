import { Migration } from '@mikro-orm/migrations';

/**
 * What the entities cannot say: the autocomplete's word index, kept by triggers, and the "keep an
 * admin" invariants, held by the database so that no interleaving of requests can break them.
 */
export class Migration20261127203700_search_and_invariants extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create extension if not exists unaccent;`);

    // Words of a name and an email: lowercased, accents removed, split on anything not a letter or digit.
    this.addSql(`
      create function member_search_words_of(p_name text, p_email text) returns setof text
      language sql stable as $$
        select distinct word
          from regexp_split_to_table(lower(unaccent(coalesce(p_name, '') || ' ' || coalesce(p_email, ''))),
                                     '[[:space:][:punct:]]+') as word
         where word <> ''
      $$;`);

    this.addSql(`
      create function memberships_search_words_sync() returns trigger
      language plpgsql as $$
      begin
        if tg_op = 'DELETE' then
          delete from member_search_words where organization_id = old.organization_id and user_id = old.user_id;
          return old;
        end if;
        insert into member_search_words (organization_id, word, user_id)
          select new.organization_id, w.word, new.user_id
            from users u, member_search_words_of(u.name, u.email) as w(word)
           where u.id = new.user_id
          on conflict do nothing;
        return new;
      end $$;`);
    this.addSql(`
      create trigger memberships_search_words after insert or delete on memberships
      for each row execute function memberships_search_words_sync();`);

    this.addSql(`
      create function users_search_words_sync() returns trigger
      language plpgsql as $$
      begin
        delete from member_search_words where user_id = new.id;
        insert into member_search_words (organization_id, word, user_id)
          select m.organization_id, w.word, new.id
            from memberships m, member_search_words_of(new.name, new.email) as w(word)
           where m.user_id = new.id
          on conflict do nothing;
        return new;
      end $$;`);
    this.addSql(`
      create trigger users_search_words after update of name, email on users
      for each row when (old.name is distinct from new.name or old.email is distinct from new.email)
      execute function users_search_words_sync();`);

    // At commit, after taking the organization's row lock, so that two transactions each demoting
    // or removing one of the last two admins cannot both pass: the second sees the first's commit.
    this.addSql(`
      create function memberships_keep_an_admin() returns trigger
      language plpgsql as $$
      begin
        if old.type = 'admin' and (tg_op = 'DELETE' or new.type <> 'admin') then
          perform 1 from organizations where id = old.organization_id for update;
          if found and not exists (
            select 1 from memberships where organization_id = old.organization_id and type = 'admin'
          ) then
            raise exception 'LAST_ADMIN: organization % must keep an admin', old.organization_id;
          end if;
        end if;
        return null;
      end $$;`);
    this.addSql(`
      create constraint trigger memberships_keep_an_admin after update of type or delete on memberships
      deferrable initially deferred
      for each row execute function memberships_keep_an_admin();`);

    // The same for resources: a project, dataset or ontology always keeps a direct admin.
    this.addSql(`
      create function collaborators_keep_an_admin() returns trigger
      language plpgsql as $$
      begin
        if old.role = 'admin' and (tg_op = 'DELETE' or new.role <> 'admin') then
          perform 1 from resources where id = old.resource_id for update;
          if found and not exists (
            select 1 from collaborators where resource_id = old.resource_id and role = 'admin'
          ) then
            raise exception 'LAST_ADMIN: resource % must keep an admin', old.resource_id;
          end if;
        end if;
        return null;
      end $$;`);
    this.addSql(`
      create constraint trigger collaborators_keep_an_admin after update of role or delete on collaborators
      deferrable initially deferred
      for each row execute function collaborators_keep_an_admin();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists collaborators_keep_an_admin on collaborators;`);
    this.addSql(`drop function if exists collaborators_keep_an_admin();`);
    this.addSql(`drop trigger if exists memberships_keep_an_admin on memberships;`);
    this.addSql(`drop function if exists memberships_keep_an_admin();`);
    this.addSql(`drop trigger if exists users_search_words on users;`);
    this.addSql(`drop function if exists users_search_words_sync();`);
    this.addSql(`drop trigger if exists memberships_search_words on memberships;`);
    this.addSql(`drop function if exists memberships_search_words_sync();`);
    this.addSql(`drop function if exists member_search_words_of(text, text);`);
  }
}
