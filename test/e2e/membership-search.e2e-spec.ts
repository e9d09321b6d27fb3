import { sql } from '../../src/database/sql';
import {
  memberListSql,
  memberSearchOf,
  memberSearchSql,
} from '../../src/modules/membership/membership.repository';
import { createMember, createOrganization, TestOrganization } from '../factories/organizations.factory';
import { createUser, TestUser } from '../factories/users.factory';
import { nodesOf, PlanNode, rowsReadByNode } from '../support/query-plan';
import { SentStatements } from '../support/sent-statements';
import { TestApp } from '../support/test-app';

/**
 * The autocomplete of invite dropdowns: `q` matches the beginning of any word of a user's name or
 * email, words being cut on anything not a letter or digit, case and accents ignored.
 */
describe('Organization members: autocomplete', () => {
  let t: TestApp;
  let org: TestOrganization;
  const people: Record<string, TestUser> = {};

  beforeAll(async () => {
    t = await TestApp.start();
    org = await createOrganization(t, {
      admin: await createUser(t, { name: 'Root Admin', email: 'root@admin.test' }),
    });
    const make = async (key: string, name: string, email: string) => {
      people[key] = await createUser(t, { name, email });
      await t.sql(
        `insert into memberships (id, organization_id, user_id, type, created_at) values (gen_random_uuid(), ?, ?, 'member', clock_timestamp())`,
        [org.id, people[key].id],
      );
    };
    await make('john', 'John Smith', 'jsmith@acme.test');
    await make('mary', 'Mary Jones', 'mary.jones@acme.com');
    await make('major', 'Major Tom', 'major@acme.com');
    await make('jo', '', 'jo@acme.com');
    await make('jose', 'José Ñúñez', 'jn@example.test');
    await make('anne', 'Anne-Marie Dupont', 'anne+annotation@label.test');
    await make('zoe', "Zoë O'Brien", 'zob@example.test');
  });
  afterAll(() => t.close());

  const search = async (q: string, extra = '') => {
    const response = await t.get(
      `/organizations/${org.id}/members?q=${encodeURIComponent(q)}${extra}`,
      org.admin.token,
    );
    expect(response.status).toBe(200);
    return response.body.items.map((m: any) => m.email).sort();
  };
  const emails = (...keys: string[]) => keys.map((k) => people[k].email).sort();

  it('`jo` finds John Smith, mary.jones@acme.com and jo@acme.com (and José), not major@acme.com', async () => {
    expect(await search('jo')).toEqual(emails('john', 'mary', 'jo', 'jose'));
  });

  it('ignores case', async () => {
    expect(await search('JO')).toEqual(emails('john', 'mary', 'jo', 'jose'));
  });

  it('never matches inside a word', async () => {
    expect(await search('or')).toEqual([]);
    expect(await search('mith')).toEqual([]);
  });

  it('ignores accents, in the names and in what is typed', async () => {
    expect(await search('jose')).toEqual(emails('jose'));
    expect(await search('José')).toEqual(emails('jose'));
    expect(await search('ñu')).toEqual(emails('jose'));
    expect(await search('nunez')).toEqual(emails('jose'));
    expect(await search('zoe')).toEqual(emails('zoe'));
  });

  it('cuts words at hyphens, apostrophes, dots and plus signs', async () => {
    expect(await search('marie')).toEqual(emails('anne'));
    expect(await search('anne-ma')).toEqual(emails('anne'));
    expect(await search('annot')).toEqual(emails('anne'));
    expect(await search('anne+annotation')).toEqual(emails('anne'));
    expect(await search('brien')).toEqual(emails('zoe'));
    expect(await search('jones@acme')).toEqual(emails('mary'));
  });

  it('with several words, every word must begin some word of the user', async () => {
    expect(await search('john sm')).toEqual(emails('john'));
    expect(await search('mary.jo')).toEqual(emails('mary'));
    expect(await search('john jones')).toEqual([]);
  });

  it('takes LIKE wildcards literally: they are not letters, so they only separate words', async () => {
    expect(await search('jo%')).toEqual(emails('john', 'mary', 'jo', 'jose'));
    expect(await search('j_')).toEqual(emails('john', 'mary', 'jo', 'jose'));
    expect(await search('%')).toHaveLength(Object.keys(people).length + 1);
  });

  it('combines with the type filter', async () => {
    const external = await createMember(t, org.id, 'external', 'Joanna External');
    expect(await search('jo', '&type=external')).toEqual([external.email]);
  });

  it('follows renames: the word index is kept by the database', async () => {
    await t.sql(`update users set name = 'Major Thomas Jovial' where id = ?`, [people.major.id]);
    expect(await search('jovi')).toEqual(emails('major'));
    await t.sql(`update users set name = 'Major Tom' where id = ?`, [people.major.id]);
    expect(await search('jovi')).toEqual([]);
  });

  it('splits typed ASCII text exactly as the database splits the indexed names and emails', async () => {
    const samples = [
      'jo',
      'Mary.Jones@ACME.com',
      "o'brien-smith",
      'a+b_c~d|e',
      '  x  y  ',
      '100% {sure}',
      '',
      '!!!',
      'Jo jo JO',
    ];
    for (const text of samples) {
      const [{ normalized }] = await t.sql<{ normalized: string }>(
        `select member_search_text(?) as normalized`,
        [text],
      );
      const search = await memberSearchOf(t.em(), text);
      expect({ text, normalized: search?.text ?? '' }).toEqual({ text, normalized });
      expect(new Set(search?.words ?? [])).toEqual(new Set(normalized.split(' ').filter(Boolean)));
    }
  });

  it('finds no one who left the organization', async () => {
    const leaver = await createMember(t, org.id, 'member', 'Quentin Leaver');
    expect(await search('quentin')).toEqual([leaver.email]);
    expect((await t.delete(`/organizations/${org.id}/members/${leaver.id}`, org.admin.token)).status).toBe(
      204,
    );
    expect(await search('quentin')).toEqual([]);
  });

  describe('in the order of the answer', () => {
    let ranked: TestOrganization;
    const names: Record<string, string> = {};

    beforeAll(async () => {
      ranked = await createOrganization(t);
      const add = async (name: string, email: string) => {
        const user = await createUser(t, { name, email });
        names[user.email] = name;
        await t.sql(
          `insert into memberships (id, organization_id, user_id, type, created_at) values (gen_random_uuid(), ?, ?, 'member', clock_timestamp())`,
          [ranked.id, user.id],
        );
      };
      // Added in an order unlike the answer's: the join order must not show through.
      await add('Adam Jones', 'adam@ranked.test');
      await add('Johan Berg', 'johan@ranked.test');
      await add('Carl Smith', 'carl@jolly.test');
      await add('Bea Johnson', 'bea.jo@ranked.test');
      for (let i = 1; i <= 5; i++) await add('Jo Adams', `jo.adams${i}@ranked.test`);
      await add('Joanna Zed', 'zed@ranked.test');
      await add('Joe Bloggs', 'joe@acme-app.test');
      await add('Major Tom', 'major@ranked.test');
    });

    const pageOf = async (q: string, limit: number, cursor?: string) => {
      const response = await t.get(
        `/organizations/${ranked.id}/members?q=${encodeURIComponent(q)}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
        ranked.admin.token,
      );
      expect(response.status).toBe(200);
      return response.body as { items: { email: string; name: string }[]; nextCursor: string | null };
    };

    it('lists users whose name starts with the text first, by name, then the users with another word starting with it, by that word', async () => {
      const { items } = await pageOf('jo', 50);
      expect(items.map((m) => m.name)).toEqual([
        // The name starts with "jo": by name.
        'Jo Adams',
        'Jo Adams',
        'Jo Adams',
        'Jo Adams',
        'Jo Adams',
        'Joanna Zed',
        'Joe Bloggs',
        'Johan Berg',
        // Another word starts with "jo": by that word (jo, jolly, jones), each user once.
        'Bea Johnson',
        'Carl Smith',
        'Adam Jones',
      ]);
    });

    it('with several words: the name starting with the text, then the first word starting with the longest word, then other words', async () => {
      const { items } = await pageOf('jo a', 50);
      expect(items.map((m) => m.name)).toEqual([
        ...Array<string>(5).fill('Jo Adams'),
        // Its first word starts with "jo" and "a" begins acme.
        'Joe Bloggs',
        // "jo" begins jones, "a" begins adam.
        'Adam Jones',
      ]);
      // Typed the other way round, no name starts with the text: the first word comes first.
      const reversed = await pageOf('a jo', 50);
      expect(reversed.items.map((m) => m.email)).toEqual(items.map((m) => m.email));
    });

    it.each([1, 2, 3])(
      'pages of %i hold every user once, in the order of one long page, ties between equal names included',
      async (limit) => {
        const whole = (await pageOf('jo', 50)).items.map((m) => m.email);
        const paged: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await pageOf('jo', limit, cursor);
          expect(page.items.length).toBeLessThanOrEqual(limit);
          paged.push(...page.items.map((m) => m.email));
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        expect(paged).toEqual(whole);
      },
    );

    it('a page keeps its place when users are added before it', async () => {
      const first = await pageOf('jo', 6);
      const added = await createUser(t, { name: 'Jo Aaron', email: 'jo.aaron@ranked.test' });
      await t.sql(
        `insert into memberships (id, organization_id, user_id, type, created_at) values (gen_random_uuid(), ?, ?, 'member', clock_timestamp())`,
        [ranked.id, added.id],
      );
      const second = await pageOf('jo', 50, first.nextCursor!);
      expect(second.items.map((m) => m.name)).toEqual([
        'Joe Bloggs',
        'Johan Berg',
        'Bea Johnson',
        'Carl Smith',
        'Adam Jones',
      ]);
    });
  });

  describe('on an organization of 30,000 users', () => {
    let big: TestOrganization;
    const USERS = 30_000;

    beforeAll(async () => {
      big = await createOrganization(t);
      // Bulk seed: the triggers fill member_search_words as they would for real sign-ups.
      await t.sql(
        `insert into users (id, email, name, created_at)
         select gen_random_uuid(),
                'bulk' || g || '@scale.test',
                (array['John','Mary','Anna','Pierre','Chloé','Zoë','Mohamed','Li','Olga','Jörg'])[1 + g % 10] || ' ' ||
                (array['Smith','Jones','Dupont','Müller','García','Nguyen','Kowalski','Rossi','Tanaka','Silva'])[1 + (g / 10) % 10]
                || ' ' || g,
                now()
           from generate_series(1, ?) g`,
        [USERS],
      );
      await t.sql(
        `insert into memberships (id, organization_id, user_id, type, created_at)
         select gen_random_uuid(), ?, u.id, 'member', now() - (random() * interval '300 days')
           from users u where u.email like 'bulk%@scale.test'`,
        [big.id],
      );
      // Statistics from every row, not a sample: the plans asserted below must not change from run to run.
      await t.sql(`alter table member_search_words alter column word set statistics 10000`);
      await t.sql(`alter table member_search_words alter column organization_id set statistics 10000`);
      await t.sql(`alter table memberships alter column organization_id set statistics 10000`);
      await t.sql(`analyze users`);
      await t.sql(`analyze memberships`);
      await t.sql(`analyze member_search_words`);
    }, 120_000);

    /** The plan of the very statement the service runs for this search. */
    const planOf = async (q: string | undefined) => {
      const search = q ? await memberSearchOf(t.em(), q) : undefined;
      const { sql, params } = search
        ? memberSearchSql(big.id, { search, limit: 50 })
        : memberListSql(big.id, { limit: 50 });
      const rows = await t.sql<{ 'QUERY PLAN': string }>(`explain ${sql}`, params);
      const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
      if (process.env.SHOW_PLANS) process.stdout.write(`\nq=${q ?? '(none)'}\n${plan}\n`);
      return plan;
    };

    /**
     * The rows the statement behind this request reads from tables and indexes, by EXPLAIN ANALYZE:
     * what every scan returned or filtered out, over all its loops. Deterministic, unlike a time.
     */
    const rowsReadBy = async (path: string) => {
      const sent = new SentStatements();
      const response = await t.get(path, big.admin.token).finally(() => sent.stop());
      expect(response.status).toBe(200);
      const statement = sent.all.find((s) => /from member_search_words w\b/.test(s.text))!;
      const [{ 'QUERY PLAN': plan }] = await t.sql<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
        `explain (analyze, format json) ${statement.text.replace(/\$\d+/g, '?')}`,
        statement.values,
      );
      const read = nodesOf(plan[0].Plan)
        .filter((node) => /Scan$/.test(node['Node Type']) && node['Relation Name'])
        .reduce((sum, node) => sum + rowsReadByNode(node), 0);
      return { read, body: response.body };
    };

    it.each(['jo', 'kow', '12', 'scale', 'bulk1'])(
      'a page of 10 of the users starting with "%s" reads about 10 rows of each table it visits, however many match',
      async (prefix) => {
        const { read, body } = await rowsReadBy(`/organizations/${big.id}/members?q=${prefix}&limit=10`);
        expect(body.items).toHaveLength(10);
        // An item costs its index entry, a probe of the user's own few entries, its membership and user.
        expect(read).toBeLessThan(11 * 12);
        // Pages further on cost the same.
        const third = await rowsReadBy(
          `/organizations/${big.id}/members?q=${prefix}&limit=10&cursor=${
            (await t.get(`/organizations/${big.id}/members?q=${prefix}&limit=20`, big.admin.token)).body.nextCursor
          }`,
        );
        expect(third.body.items).toHaveLength(10);
        expect(third.read).toBeLessThan(11 * 12);
      },
    );

    it('holds the word index it searches', async () => {
      const [{ count }] = await t.sql<{ count: string }>(
        `select count(*) from member_search_words where organization_id = ?`,
        [big.id],
      );
      expect(Number(count)).toBeGreaterThan(USERS * 4);
    });

    it.each(['kowalski 123', 'tanaka chlo', 'nguyen mary 2'])(
      'a search for "%s" is served by member_search_words_prefix_idx, never a scan of the word table',
      async (q) => {
        const plan = await planOf(q);
        expect(plan).toMatch(/Index (Only )?Scan (using|on) member_search_words_prefix_idx/);
        expect(plan).toMatch(/Index Cond: .*word ~>=~/);
        expect(plan).not.toMatch(/Seq Scan on member_search_words/);
      },
    );

    it('a prefix shared by a third of the users reads the word index in the order of the page, with no sort of the matches', async () => {
      const plan = await planOf('jo');
      expect(plan).toMatch(/Index Only Scan using member_search_words_prefix_idx/);
      // The only sort is of the page's few rows; a bitmap would collect every match first.
      expect(plan).not.toMatch(/Bitmap/);
      expect(plan).not.toMatch(/Seq Scan/);
    });

    it('with a generic plan, which bound parameters get after five executions, each word is still a range of the word index', async () => {
      const { sql: text, params } = memberSearchSql(big.id, {
        search: { text: 'kowalski tanaka', words: ['kowalski', 'tanaka'] },
        limit: 50,
      });
      let n = 0;
      const generic = text.replace(/\?/g, () => `$${++n}`);
      const literal = (value: unknown): string =>
        Array.isArray(value)
          ? `array[${value.map(literal).join(', ')}]`
          : typeof value === 'number'
            ? String(value)
            : `'${String(value).replace(/'/g, "''")}'`;
      // PREPARE under a forced generic plan: EXPLAIN (GENERIC_PLAN) is PostgreSQL 16's, and CI also runs 15.
      const rows = await t.em().transactional(async (em) => {
        await sql(em, 'set local plan_cache_mode = force_generic_plan');
        await sql(em, `prepare generic_member_search as ${generic}`);
        const explained = await sql<{ 'QUERY PLAN': string }>(
          em,
          `explain execute generic_member_search(${params.map(literal).join(', ')})`,
        );
        await sql(em, 'deallocate generic_member_search');
        return explained;
      });
      const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
      expect(plan).toMatch(/Index (Only )?Scan (using|on) member_search_words_prefix_idx/);
      expect(plan).toMatch(/Index Cond: .*word ~>=~ \$\d+/);
      expect(plan).not.toMatch(/Seq Scan on member_search_words/);
    });

    it('the plain list walks memberships_org_joined_idx in join order', async () => {
      const plan = await planOf(undefined);
      expect(plan).toMatch(/memberships_org_joined_idx/);
      expect(plan).not.toMatch(/Seq Scan on memberships/);
    });

    it('answers, page after page, exactly the users whose words begin with the words typed', async () => {
      const FIRST = ['John', 'Mary', 'Anna', 'Pierre', 'Chloé', 'Zoë', 'Mohamed', 'Li', 'Olga', 'Jörg'];
      const LAST = [
        'Smith',
        'Jones',
        'Dupont',
        'Müller',
        'García',
        'Nguyen',
        'Kowalski',
        'Rossi',
        'Tanaka',
        'Silva',
      ];
      const wordsOf = (text: string) =>
        text
          .normalize('NFD')
          .replace(/\p{M}/gu, '')
          .toLowerCase()
          .split(/[^a-z0-9]+/)
          .filter(Boolean);
      const typed = wordsOf('Jö 12');
      const expected: string[] = [];
      for (let g = 1; g <= USERS; g++) {
        const email = `bulk${g}@scale.test`;
        const words = wordsOf(`${FIRST[g % 10]} ${LAST[Math.floor(g / 10) % 10]} ${g} ${email}`);
        if (typed.every((w) => words.some((word) => word.startsWith(w)))) expected.push(email);
      }
      expect(expected.length).toBeGreaterThan(200);

      const found: string[] = [];
      let cursor: string | null = null;
      do {
        const page: any = await t.get(
          `/organizations/${big.id}/members?q=${encodeURIComponent('Jö 12')}&limit=200${cursor ? `&cursor=${cursor}` : ''}`,
          big.admin.token,
        );
        expect(page.status).toBe(200);
        found.push(...page.body.items.map((m: any) => m.email));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(found.sort()).toEqual(expected.sort());
    });
  });
});
