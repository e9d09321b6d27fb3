import { Client } from 'pg';
import { withDatabase } from '../../src/database/database-url';
import { createOrganization, TestOrganization } from '../factories/organizations.factory';
import { nodesOf, PlanNode, rowsReadByNode } from '../support/query-plan';
import { SentStatements } from '../support/sent-statements';
import { TestApp } from '../support/test-app';

const PROJECTS = 4000;
const LIMIT = 50;

/**
 * The admin's "all of these tags" filter reads about a page's worth of rows however many projects
 * carry the tags: counted from EXPLAIN ANALYZE (rows the scans of resources and project_tags returned
 * or filtered out), never timed. Project i (1..4000) has tag A unless i % 10 = 0, B unless i % 10 = 1,
 * C unless i % 10 = 2 (so 70% have all three: 10,800 project_tags rows of A, B and C), and the rare
 * tag D when i % 200 = 0 (20 projects).
 */
describe('Tag filter plans', () => {
  let t: TestApp;
  let db: Client;
  let org: TestOrganization;
  const tag: Record<'A' | 'B' | 'C' | 'D', string> = { A: '', B: '', C: '', D: '' };
  let sent: SentStatements;

  beforeAll(async () => {
    t = await TestApp.start();
    db = new Client({ connectionString: withDatabase(process.env.TEST_SERVER_URL!, t.databaseName) });
    await db.connect();
    org = await createOrganization(t);
    for (const name of ['A', 'B', 'C', 'D'] as const) {
      tag[name] = (
        await t.post(`/organizations/${org.id}/tags`, { name: `Tag ${name}` }, org.admin.token)
      ).body.id;
    }
    await db.query(
      `insert into resources (id, kind, organization_id, owner_id, title, created_at, updated_at)
       select gen_random_uuid(), 'project', $1, $2, 'Project ' || i, timestamptz '2026-01-01' + i * interval '1 second', now()
         from generate_series(1, ${PROJECTS}) as i`,
      [org.id, org.admin.id],
    );
    await db.query(
      `insert into collaborators (id, resource_id, user_id, role, organization_id, created_at)
       select gen_random_uuid(), r.id, r.owner_id, 'admin', r.organization_id, now() from resources r where r.organization_id = $1`,
      [org.id],
    );
    await db.query(
      `insert into project_tags (id, project_id, tag_id, organization_id, created_at)
       select gen_random_uuid(), r.id, x.tag_id, r.organization_id, now()
         from resources r, lateral (select (regexp_replace(r.title, '\\D', '', 'g'))::int as i) n,
              lateral (values ($2::uuid, n.i % 10 <> 0), ($3::uuid, n.i % 10 <> 1), ($4::uuid, n.i % 10 <> 2),
                              ($5::uuid, n.i % 200 = 0)) as x(tag_id, has)
        where r.organization_id = $1 and x.has`,
      [org.id, tag.A, tag.B, tag.C, tag.D],
    );
    await db.query('vacuum analyze resources, project_tags, collaborators');
    sent = new SentStatements();
  });

  afterAll(async () => {
    sent?.stop();
    await db?.end();
    await t?.close();
  });

  /**
   * The rows the list statement's scans of resources and project_tags read: returned or thrown away
   * by a filter, per loop. A bitmap's heap scan is counted, not its index scan (the same rows twice).
   */
  async function rowsReadBy(
    path: string,
  ): Promise<{ rows: number; body: { items: { id: string }[]; nextCursor: string | null } }> {
    sent.clear();
    const response = await t.get(path, org.admin.token);
    expect(response.status).toBe(200);
    const statements = sent.all;
    const statement = statements.find((s) => /from resources r\b/.test(s.text));
    if (!statement) throw new Error(`no project list statement among ${statements.length}`);
    const { rows } = await db.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
      `explain (analyze, format json) ${statement.text}`,
      statement.values,
    );
    const read = nodesOf(rows[0]['QUERY PLAN'][0].Plan)
      .filter((n) => ['resources', 'project_tags'].includes(n['Relation Name'] ?? ''))
      .reduce((sum, n) => sum + rowsReadByNode(n), 0);
    return { rows: read, body: response.body };
  }

  // The page's own projects, and the tags shown on each (at most four per project), are what it needs.
  const PAGE_NEEDS = (LIMIT + 1) * (1 + 4);

  it("three tags on most projects: the first page reads about a page of rows, not the tags' 10,800", async () => {
    const { rows, body } = await rowsReadBy(
      `/organizations/${org.id}/projects?tags=${tag.A},${tag.B},${tag.C}&limit=${LIMIT}`,
    );
    expect(body.items).toHaveLength(LIMIT);
    expect(rows).toBeLessThan(PAGE_NEEDS);
  });

  it('three tags on most projects: a deep page reads no more than the first', async () => {
    let cursor = '';
    for (let page = 1; page < 30; page++) {
      const response = await t.get(
        `/organizations/${org.id}/projects?tags=${tag.A},${tag.B},${tag.C}&limit=${LIMIT}${cursor}`,
        org.admin.token,
      );
      cursor = `&cursor=${encodeURIComponent(response.body.nextCursor)}`;
    }
    const { rows, body } = await rowsReadBy(
      `/organizations/${org.id}/projects?tags=${tag.A},${tag.B},${tag.C}&limit=${LIMIT}${cursor}`,
    );
    expect(body.items).toHaveLength(LIMIT);
    expect(rows).toBeLessThan(PAGE_NEEDS);
  });

  it("a rare tag with a popular one reads the rare tag's projects, not the popular tag's", async () => {
    const { rows, body } = await rowsReadBy(
      `/organizations/${org.id}/projects?tags=${tag.A},${tag.D}&limit=${LIMIT}`,
    );
    // i % 200 = 0 means i % 10 = 0: D's projects all lack A.
    expect(body.items).toHaveLength(0);
    expect(rows).toBeLessThan(PAGE_NEEDS);
  });

  it('a rare tag with another: its few projects, newest first', async () => {
    const { rows, body } = await rowsReadBy(
      `/organizations/${org.id}/projects?tags=${tag.B},${tag.D}&limit=${LIMIT}`,
    );
    expect(body.items).toHaveLength(20);
    expect(rows).toBeLessThan(PAGE_NEEDS);
  });
});
