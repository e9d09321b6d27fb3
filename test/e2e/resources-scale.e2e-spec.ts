import { Client } from 'pg';
import { withDatabase } from '../../src/database/database-url';
import { createMember, createOrganization, TestOrganization } from '../factories/organizations.factory';
import { createGroup } from '../factories/groups.factory';
import { TestUser } from '../factories/users.factory';
import { statementsSentWhile } from '../support/sent-statements';
import { HttpResult, TestApp } from '../support/test-app';

const PROJECTS = 10_000;
/** The member holds a role on every 50th project: 200 of them, spread over the whole history. */
const EVERY = 50;

/** Every statement the app sends to PostgreSQL while `run` runs, counted at the driver. */
async function capturingQueries<T>(
  run: () => Promise<T>,
): Promise<{ result: T; queries: string[]; values: unknown[][] }> {
  const { result, statements } = await statementsSentWhile(run);
  return { result, queries: statements.map((s) => s.text), values: statements.map((s) => s.values) };
}

describe('Organization resource lists at scale', () => {
  let t: TestApp;
  let org: TestOrganization;
  let member: TestUser;
  beforeAll(async () => {
    t = await TestApp.start();
    org = await createOrganization(t);
    member = await createMember(t, org.id, 'member');
    const owner = await createMember(t, org.id, 'member');
    const group = await createGroup(t, org.id, { memberIds: [member.id] });
    await t.sql(
      `insert into resources (id, kind, organization_id, owner_id, title, created_at, updated_at)
       select gen_random_uuid(), 'project', ?, ?, 'Project ' || i, now() - make_interval(secs => i), now()
         from generate_series(1, ?) as i`,
      [org.id, owner.id, PROJECTS],
    );
    await t.sql(
      `insert into collaborators (id, resource_id, user_id, role, organization_id, created_at)
       select gen_random_uuid(), id, owner_id, 'admin', organization_id, now() from resources where organization_id = ?`,
      [org.id],
    );
    // Three quarters of the member's projects are theirs directly, one quarter through a group.
    await t.sql(
      `with numbered as (
         select id, row_number() over (order by created_at desc, id desc) as n from resources where organization_id = ?
       )
       insert into collaborators (id, resource_id, user_id, role, organization_id, created_at)
       select gen_random_uuid(), id, ?, 'annotator', ?, now() from numbered where n % ? = 0 and n % ? <> 0`,
      [org.id, member.id, org.id, EVERY, EVERY * 4],
    );
    await t.sql(
      `with numbered as (
         select id, row_number() over (order by created_at desc, id desc) as n from resources where organization_id = ?
       )
       insert into resource_groups (id, resource_id, group_id, role, organization_id, created_at)
       select gen_random_uuid(), id, ?, 'reviewer', ?, now() from numbered where n % ? = 0`,
      [org.id, group.id, org.id, EVERY * 4],
    );
    await t.sql('analyze');
  });
  afterAll(() => t.close());

  async function allPages(token: string, limit: number) {
    const items: { id: string; myRole: string | null }[] = [];
    const queriesPerPage: string[][] = [];
    let cursor: string | null = null;
    do {
      const { result, queries } = await capturingQueries(() =>
        t.get(`/organizations/${org.id}/projects?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, token),
      );
      const page = result as HttpResult;
      expect(page.status).toBe(200);
      items.push(...page.body.items);
      queriesPerPage.push(queries);
      cursor = page.body.nextCursor;
    } while (cursor);
    return { items, queriesPerPage };
  }

  it('a member with 200 of 10,000 projects gets only theirs, from one SQL query per page', async () => {
    const { items, queriesPerPage } = await allPages(member.token, 50);
    expect(items).toHaveLength(PROJECTS / EVERY);
    const expected = await t.sql<{ id: string }>(
      `select r.id from resources r
        where r.organization_id = ?
          and (exists (select 1 from collaborators c where c.resource_id = r.id and c.user_id = ?)
               or exists (select 1 from resource_groups rg join group_members gm on gm.group_id = rg.group_id
                           where rg.resource_id = r.id and gm.user_id = ?))
        order by r.created_at desc, r.id desc`,
      [org.id, member.id, member.id],
    );
    expect(items.map((item) => item.id)).toEqual(expected.map((row) => row.id));
    expect(new Set(items.map((item) => item.myRole))).toEqual(new Set(['annotator', 'reviewer']));

    expect(queriesPerPage).toHaveLength(4);
    for (const queries of queriesPerPage) {
      // One statement loads the caller's policy context (the guard) and reads the page in it: nothing else.
      expect(queries).toHaveLength(1);
      expect(queries[0]).toMatch(/from resources r/);
      expect(queries[0]).toMatch(/from users/);
    }
  });

  it('an admin pages through all 10,000 projects, one SQL query per page, myRole null', async () => {
    const { items, queriesPerPage } = await allPages(org.admin.token, 200);
    expect(items).toHaveLength(PROJECTS);
    expect(new Set(items.map((item) => item.id)).size).toBe(PROJECTS);
    expect(new Set(items.map((item) => item.myRole))).toEqual(new Set([null]));
    expect(queriesPerPage).toHaveLength(PROJECTS / 200);
    expect(queriesPerPage.every((queries) => queries.length === 1)).toBe(true);
  });

  it("an admin's page reads only its own rows, newest first, through resources_org_kind_created_idx", async () => {
    const { queries, values } = await capturingQueries(() =>
      t.get(`/organizations/${org.id}/projects`, org.admin.token),
    );
    const list = queries.findIndex((sql) => /from resources r/.test(sql));
    // The statement as sent, its parameters bound.
    const db = new Client({ connectionString: withDatabase(process.env.TEST_SERVER_URL!, t.databaseName) });
    await db.connect();
    const {
      rows: [explained],
    } = await db
      .query<{ 'QUERY PLAN': any }>(`explain (analyze, format json) ${queries[list]}`, values[list])
      .finally(() => db.end());
    const plan = explained['QUERY PLAN'][0].Plan;
    const scans: any[] = [];
    // The statement writes the page once per filter of the rules; the caller's relation runs one of them.
    const walk = (node: any) => {
      if (node['Relation Name'] === 'resources' && node['Actual Loops'] > 0) scans.push(node);
      (node.Plans ?? []).forEach(walk);
    };
    walk(plan);
    expect(scans).toEqual([
      expect.objectContaining({
        'Node Type': 'Index Scan',
        'Index Name': 'resources_org_kind_created_idx',
        'Scan Direction': 'Backward',
        'Actual Rows': 51,
      }),
    ]);
  });
});
