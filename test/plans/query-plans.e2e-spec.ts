import { Client } from 'pg';
import { uuidSql, runSeedSteps, Scale, SEEDED_TABLES, BIG_ORG_SQL } from '../../bench/scale-data';
import { withDatabase } from '../../src/database/database-url';
import { nodesOf, PlanNode } from '../support/query-plan';
import { SentStatements } from '../support/sent-statements';
import { TestApp } from '../support/test-app';

/**
 * The plans of the queries that must stay fast at scale, on the bench's data set at a fraction of
 * its size (a few tens of thousands of rows, statistics fresh) that keeps its proportions: a member
 * reaches 0.2% of the organization's projects, as at full scale; smaller shares of smaller tables
 * make a sequential scan the planner's right answer. The statements are captured from the real
 * endpoints as the ORM sends them, then EXPLAINed: a change of query shape that loses an index
 * fails here, long before a benchmark would show it.
 */

const PLAN_SCALE: Scale = {
  bigOrgUsers: 20_000,
  smallOrgs: 10,
  usersPerSmallOrg: 400,
  projects: 30_000,
  tags: 500,
  maxTagsPerProject: 5,
  groups: 20,
  membersPerGroup: 20,
  projectsPerGroup: 10,
  sampleMemberEvery: 500,
  adminEvery: 5_000,
};

/** Tables big enough in production that reading one whole is a bug. */
const BIG_TABLES = [
  'users',
  'memberships',
  'member_search_words',
  'resources',
  'collaborators',
  'project_tags',
];

const describeNode = (node: PlanNode) =>
  `${node['Node Type']}${node['Relation Name'] ? ` on ${node['Relation Name']}` : ''}${node['Index Name'] ? ` using ${node['Index Name']}` : ''}`;

describe('Query plans at scale', () => {
  let t: TestApp;
  let db: Client;
  let sent: SentStatements;
  let org: string;
  let adminToken: string;
  let memberToken: string;

  beforeAll(async () => {
    t = await TestApp.start();
    db = new Client({ connectionString: withDatabase(process.env.TEST_SERVER_URL!, t.databaseName) });
    await db.connect();
    await db.query('begin');
    await runSeedSteps(db, PLAN_SCALE, 'scrypt$unused', { chunk: 10_000 });
    await db.query('commit');
    // Statistics from every row rather than a sample, so the asserted plans do not vary between runs.
    await db.query('set default_statistics_target = 10000');
    await db.query(`vacuum (analyze) ${SEEDED_TABLES.join(', ')}`);
    const { rows } = await db.query<{ org: string; admin: string; member: string }>(
      `select ${BIG_ORG_SQL} as org, ${uuidSql('user', 1)} as admin, ${uuidSql('user', 2)} as member`,
    );
    org = rows[0].org;
    adminToken = t.tokenFor(rows[0].admin);
    memberToken = t.tokenFor(rows[0].member);
    // Every statement the app sends, as sent: with its bound parameters (the repositories' SQL), or
    // with the values inlined (MikroORM's own statements).
    sent = new SentStatements();
  }, 180_000);

  afterAll(async () => {
    sent?.stop();
    await db?.end();
    await t?.close();
  });

  /** Calls the endpoint, expects 200, and returns the plan of its statement that reads `table`. */
  async function planOf(path: string, token: string, table: RegExp) {
    sent.clear();
    const response = await t.get(path, token);
    expect(response.status).toBe(200);
    const statements = sent.all;
    const statement = statements.find((s) => table.test(s.text));
    if (!statement)
      throw new Error(
        `no statement matching ${table} among:\n${statements.map((s) => s.text).join('\n---\n')}`,
      );
    const { rows } = await db.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
      `explain (format json) ${statement.text}`,
      statement.values.length ? statement.values : undefined,
    );
    const nodes = nodesOf(rows[0]['QUERY PLAN'][0].Plan);
    return { body: response.body, nodes, plan: nodes.map(describeNode) };
  }

  const seqScansOnBigTables = (nodes: PlanNode[]) =>
    nodes
      .filter((n) => n['Node Type'].includes('Seq Scan') && BIG_TABLES.includes(n['Relation Name'] ?? ''))
      .map(describeNode);

  it('the autocomplete finds a rare prefix through the word index, not by walking the members', async () => {
    const { body, nodes, plan } = await planOf(
      `/organizations/${org}/members?q=sampl&limit=10`,
      memberToken,
      /from member_search_words w\b/,
    );
    expect(body.items.map((item: { email: string }) => item.email)).toContain(
      'sample.member@bigcorp.example',
    );
    expect(seqScansOnBigTables(nodes)).toEqual([]);
    expect(plan).toContainEqual(
      expect.stringMatching(/on member_search_words using member_search_words_prefix_idx/),
    );
  });

  it('the autocomplete of a common two-letter prefix reads no big table whole', async () => {
    const { body, nodes } = await planOf(
      `/organizations/${org}/members?q=jo&limit=10`,
      memberToken,
      /from member_search_words w\b/,
    );
    expect(body.items).toHaveLength(10);
    expect(seqScansOnBigTables(nodes)).toEqual([]);
  });

  it("a member's project list starts from their collaborations, by index", async () => {
    const { body, nodes, plan } = await planOf(
      `/organizations/${org}/projects?limit=50`,
      memberToken,
      /from resources r\b/,
    );
    expect(body.items).toHaveLength(50);
    expect(seqScansOnBigTables(nodes)).toEqual([]);
    expect(plan).toContainEqual(expect.stringMatching(/on collaborators using /));
  });

  it("the admin's tag filter reads projects and their tags by index", async () => {
    const [popular] = await db
      .query<{ tag_id: string }>(
        `select tag_id from project_tags group by tag_id order by count(*) desc, tag_id limit 3`,
      )
      .then((result) => [result.rows.map((row) => row.tag_id)]);
    const { body, nodes } = await planOf(
      `/organizations/${org}/projects?tags=${popular.join(',')}&limit=50`,
      adminToken,
      /from resources r\b/,
    );
    expect(body.items.length).toBeGreaterThan(0);
    expect(seqScansOnBigTables(nodes)).toEqual([]);
  });

  it("a deep page of the admin's project list seeks the keyset index to its cursor", async () => {
    let cursor = '';
    for (let page = 1; page < 20; page++) {
      const response = await t.get(`/organizations/${org}/projects?limit=50${cursor}`, adminToken);
      cursor = `&cursor=${encodeURIComponent(response.body.nextCursor)}`;
    }
    const { body, nodes } = await planOf(
      `/organizations/${org}/projects?limit=50${cursor}`,
      adminToken,
      /from resources r\b/,
    );
    expect(body.items).toHaveLength(50);
    expect(seqScansOnBigTables(nodes)).toEqual([]);
    const seek = nodes.find((n) => n['Relation Name'] === 'resources' && n['Index Name']);
    expect(seek?.['Index Name']).toBe('resources_org_kind_created_idx');
    expect(seek?.['Index Cond']).toMatch(/created_at/);
  });

  it('a request with an API key finds its caller by the key hash index among 20,000 keys, in the scope query', async () => {
    const created = await t.post(
      `/organizations/${org}/service-accounts`,
      { name: 'Plan robot', type: 'member' },
      adminToken,
    );
    const key = await t.post(
      `/organizations/${org}/service-accounts/${created.body.id}/keys`,
      { name: 'plan' },
      adminToken,
    );
    // Other keys, written past the API's per-account limit: only the lookup's shape matters here.
    await db.query(
      `insert into api_keys (id, created_at, organization_id, service_account_id, name, public_id, key_hash)
       select gen_random_uuid(), now(), $1, $2, 'other', 'p' || g, md5(g::text) || md5('x' || g)
         from generate_series(1, 20000) g`,
      [org, created.body.id],
    );
    await db.query('analyze api_keys');
    const { nodes, plan } = await planOf(
      `/organizations/${org}/members?limit=1`,
      key.body.secret,
      /from api_keys k\b/,
    );
    expect(plan).toContainEqual(expect.stringMatching(/on api_keys using api_keys_key_hash_unique/));
    expect(
      nodes.filter((n) => n['Node Type'].includes('Seq Scan') && n['Relation Name'] === 'api_keys'),
    ).toEqual([]);
    expect(seqScansOnBigTables(nodes)).toEqual([]);
  });
});
