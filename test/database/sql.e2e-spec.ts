import { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../../src/database/sql';
import { TestApp } from '../support/test-app';

describe('sql', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  it('sends parameters bound, so the statement text PostgreSQL plans has placeholders, not values', async () => {
    const [row] = await sql<{ query: string; value: string }>(
      t.em() as EntityManager,
      'select current_query() as query, ?::text as value',
      ["it's ? a value"],
    );
    expect(row.value).toBe("it's ? a value");
    expect(row.query).toContain('$1');
    expect(row.query).not.toContain('a value');
  });

  it('a named statement is prepared once on its connection and reused', async () => {
    await t.em().transactional(async (em) => {
      for (const n of [1, 2, 3]) {
        const [row] = await sql<{ n: number }>(em, 'select ?::int as n', [n], { name: 'sql-spec-echo' });
        expect(row.n).toBe(n);
      }
      const prepared = await sql<{ name: string }>(
        em,
        `select name from pg_prepared_statements where name = 'sql-spec-echo'`,
      );
      expect(prepared).toEqual([{ name: 'sql-spec-echo' }]);
    });
  });

  it('prepares an unnamed statement under a name of its text: the same text, the same statement; another text, another', async () => {
    await t.em().transactional(async (em) => {
      const text = 'select ?::int + 1 as n /* sql-spec-by-text */';
      for (const n of [1, 2]) expect(await sql<{ n: number }>(em, text, [n])).toEqual([{ n: n + 1 }]);
      await sql(em, 'select ?::int + 2 as n /* sql-spec-by-text */', [1]);
      const prepared = await sql<{ name: string; statement: string }>(
        em,
        `select name, statement from pg_prepared_statements where statement like '%sql-spec-by-text */' order by statement`,
      );
      expect(prepared.map((p) => p.statement)).toEqual([
        'select $1::int + 1 as n /* sql-spec-by-text */',
        'select $1::int + 2 as n /* sql-spec-by-text */',
      ]);
      expect(prepared[0].name).not.toBe(prepared[1].name);
    });
  });

  it('refuses, before sending, parameters that do not fit the text, and a statement after its transaction', async () => {
    const em = t.em() as EntityManager;
    await expect(sql(em, 'select ?::int as a, ?::int as b', [1])).rejects.toThrow(/2 parameters, given 1/);
    await expect(sql(em, 'select ?::int as a', [undefined])).rejects.toThrow(/undefined/);
    let ended: EntityManager | undefined;
    await t.em().transactional(async (inner) => {
      ended = inner as EntityManager;
    });
    await expect(sql(ended!, 'select 1 as one')).rejects.toThrow(/transaction has ended/);
  });

  it('runs in the transaction of the entity manager', async () => {
    const [first, second, third] = await t.em().transactional(async (em) => {
      const txid = async () =>
        (await sql<{ txid: string }>(em, 'select txid_current()::text as txid'))[0].txid;
      return [await txid(), await txid(), await sql(t.em() as EntityManager, 'select txid_current()')];
    });
    expect(second).toBe(first);
    expect(third).not.toEqual([{ txid_current: first }]);
  });
});
