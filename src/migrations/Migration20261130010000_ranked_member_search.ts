import { Migration } from '@mikro-orm/migrations';

/**
 * Rebuilds every row of member_search_words from `member_search_words_of`, its indexes dropped
 * meanwhile, with the primary key on these columns.
 */
const rebuildRows = (primaryKey: string) => [
  `alter table "member_search_words" drop constraint "member_search_words_pkey";`,
  `drop index "member_search_words_prefix_idx";`,
  `drop index "member_search_words_user_idx";`,
  `truncate "member_search_words";`,
  `insert into "member_search_words" ("organization_id", "word", "user_id")
     select m.organization_id, w.word, m.user_id
       from memberships m join users u on u.id = m.user_id,
            lateral member_search_words_of(u.name, u.email) as w(word);`,
  `alter table "member_search_words" add constraint "member_search_words_pkey" primary key (${primaryKey});`,
  `create index "member_search_words_prefix_idx" on "member_search_words" ("organization_id", "word" text_pattern_ops, "user_id");`,
  `create index "member_search_words_user_idx" on "member_search_words" ("user_id");`,
];

/**
 * The autocomplete in a useful order, each page read from the index in that order (O(limit) entries,
 * however many users match). Each row of member_search_words becomes a sort entry:
 *
 * - `' ' || name`: the user's whole name, normalized (words one space apart), at most 200 characters.
 *   A prefix range on it finds the users whose name starts with the typed text, in name order.
 * - `word || ' ' || name`: every other word of the name and email (the name's first word is in the
 *   entry above, unless longer than the 200 characters kept there), followed by the first 64
 *   characters of the name. A prefix range on it finds the users with a word starting with the typed
 *   word, in the order of that word, then name.
 *
 * A word never holds a space, so the first kind never meets the second in a range, and a typed word
 * (no space either) matches an entry exactly when it begins the entry's word. The function keeps its
 * name, `member_search_words_of`, because the scale seeder (bench/scale-data.ts) fills the table
 * through it. The primary key becomes (organization_id, user_id, word): the query checks a user's
 * other entries (another typed word, an earlier match) with one index-only probe of it.
 */
export class Migration20261130010000_ranked_member_search extends Migration {
  override async up(): Promise<void> {
    // Lowercased, accents removed, split on spaces and punctuation, words in order one space apart.
    this.addSql(`
      create function member_search_text(p_text text) returns text
      language sql stable as $$
        select btrim(regexp_replace(lower(unaccent(coalesce(p_text, ''))), '[[:space:][:punct:]]+', ' ', 'g'), ' ')
      $$;`);
    this.addSql(`
      create or replace function member_search_words_of(p_name text, p_email text) returns setof text
      language sql stable as $$
        with name as (
          select key, split_part(key, ' ', 1) as first_word from member_search_text(p_name) as key
        )
        select ' ' || left(name.key, 200) from name where name.key <> ''
        union all
        select distinct w.word || ' ' || left(name.key, 64)
          from name, string_to_table(name.key || ' ' || member_search_text(p_email), ' ') as w(word)
         where w.word <> '' and (w.word <> name.first_word or length(name.first_word) > 200)
      $$;`);
    for (const statement of rebuildRows('"organization_id", "user_id", "word"')) this.addSql(statement);
  }

  override async down(): Promise<void> {
    this.addSql(`
      create or replace function member_search_words_of(p_name text, p_email text) returns setof text
      language sql stable as $$
        select distinct word
          from regexp_split_to_table(lower(unaccent(coalesce(p_name, '') || ' ' || coalesce(p_email, ''))),
                                     '[[:space:][:punct:]]+') as word
         where word <> ''
      $$;`);
    for (const statement of rebuildRows('"organization_id", "word", "user_id"')) this.addSql(statement);
    this.addSql(`drop function member_search_text(text);`);
  }
}
