import { EntityManager } from '@mikro-orm/postgresql';
import { isoTimeSql } from '../../src/common/keyset-time';
import { CursorElements, keysetCursor } from '../../src/common/pagination';
import { isoTime } from '../../src/common/sql';
import { sql } from '../../src/database/sql';
import { TestApp } from '../support/test-app';

/**
 * A page answered with the JSON text PostgreSQL writes (KeysetCursor.answerSql) must be the page the
 * server would have written from the rows: the same items, the same cursor text as `encode`, the same
 * times as `isoTime`. The rows here are made up in SQL, with the values that differ in the two
 * writers if anything does: quotes, backslashes, control and non-ASCII characters, microseconds.
 */
describe('JSON answers written by PostgreSQL', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  const cursor = keysetCursor(CursorElements.text, CursorElements.timestamp);
  const rows = [
    { name: 'plain', at: '2026-11-28 03:19:05.999999+00' },
    { name: 'quote " and \\ backslash', at: '2026-11-28 03:19:05.5+00' },
    { name: 'tab\tnewline\n bell\u0007', at: '2026-11-28 03:19:05+00' },
    { name: 'ünïcødé ✓ 𝄞 \u2028', at: '2026-01-02 00:00:00.000001+00' },
  ];
  const values = rows.map((_, i) => `(?::text, ?::timestamptz, ${i})`).join(', ');
  const params = rows.flatMap((row) => [row.name, row.at]);

  async function answer(limit: number): Promise<string> {
    const statement = cursor.answerSql({
      rowsSql: `select v.name, v.at, v.at::text as at_key, v.n
                  from (values ${values}) v(name, at, n) order by v.n limit ${limit + 1}`,
      orderBy: 'p.n',
      itemSql: `(select row_to_json(i) from (select p.name, ${isoTimeSql('p.at')} as "at") i)`,
      keySql: ['p.name', 'p.at_key'],
      limit,
    });
    const [row] = await sql<{ answer: string }>(t.em() as EntityManager, statement, params);
    return row.answer;
  }

  /** What the server writes from the same rows (KeysetCursor.page, isoTime, JSON.stringify). */
  async function written(limit: number): Promise<string> {
    const fetched = await sql<{ name: string; at_key: string }>(
      t.em() as EntityManager,
      `select v.name, v.at::text as at_key from (values ${values}) v(name, at, n) order by v.n limit ${limit + 1}`,
      params,
    );
    const page = cursor.page(
      fetched,
      limit,
      (row) => [row.name, row.at_key],
      (row) => ({ name: row.name, at: isoTime(row.at_key) }),
    );
    return JSON.stringify(page);
  }

  it.each([1, 2, 3, 4, 5])('a page of %i: the same text as the server writes, cursor included', async (limit) => {
    expect(await answer(limit)).toBe(await written(limit));
  });

  it('the cursor of the last item is read back as its key', async () => {
    const page = JSON.parse(await answer(1)) as { nextCursor: string };
    expect(cursor.decode(page.nextCursor)).toEqual(['plain', '2026-11-28 03:19:05.999999+00']);
  });

  it('an empty page', async () => {
    const statement = cursor.answerSql({
      rowsSql: `select 'x'::text as name, now() as at, now()::text as at_key, 1 as n where false`,
      orderBy: 'p.n',
      itemSql: 'to_json(p.name)',
      keySql: ['p.name', 'p.at_key'],
      limit: 50,
    });
    const [row] = await sql<{ answer: string }>(t.em() as EntityManager, statement);
    expect(row.answer).toBe('{"items":[],"nextCursor":null}');
  });
});
