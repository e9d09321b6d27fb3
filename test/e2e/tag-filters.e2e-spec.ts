import { createMember, createOrganization, TestOrganization } from '../factories/organizations.factory';
import { TestUser } from '../factories/users.factory';
import { HttpResult, TestApp } from '../support/test-app';

const PROJECTS = 3000;

/**
 * The dashboard's tag filters on an organization with thousands of projects, combined with `owner=me`
 * and followed page by page: every page is checked against the answer computed independently.
 * Project i (1..3000) has tag A when i % 2 = 0, B when i % 3 = 0, C when i % 5 = 0; the member owns
 * it when i % 7 = 0 (the admin otherwise) and collaborates on it when i % 4 = 0.
 */
describe('Project list tag filters at scale', () => {
  let t: TestApp;
  let org: TestOrganization;
  let member: TestUser;
  const tag: Record<'A' | 'B' | 'C', string> = { A: '', B: '', C: '' };
  const idOf = new Map<number, string>();

  beforeAll(async () => {
    t = await TestApp.start();
    org = await createOrganization(t);
    member = await createMember(t, org.id, 'member');
    for (const name of ['A', 'B', 'C'] as const) {
      tag[name] = (
        await t.post(`/organizations/${org.id}/tags`, { name: `Tag ${name}` }, org.admin.token)
      ).body.id;
    }
    const rows = await t.sql<{ id: string; i: number }>(
      `insert into resources (id, kind, organization_id, owner_id, title, created_at, updated_at)
       select gen_random_uuid(), 'project', ?, case when i % 7 = 0 then ?::uuid else ?::uuid end, 'Project ' || i,
              timestamptz '2026-01-01' + i * interval '1 second', now()
         from generate_series(1, ${PROJECTS}) as i
       returning id, (regexp_replace(title, '\\D', '', 'g'))::int as i`,
      [org.id, member.id, org.admin.id],
    );
    for (const row of rows) idOf.set(row.i, row.id);
    await t.sql(
      `insert into collaborators (id, resource_id, user_id, role, organization_id, created_at)
       select gen_random_uuid(), r.id, r.owner_id, 'admin', r.organization_id, now() from resources r where r.organization_id = ?`,
      [org.id],
    );
    await t.sql(
      `insert into collaborators (id, resource_id, user_id, role, organization_id, created_at)
       select gen_random_uuid(), r.id, ?, 'annotator', r.organization_id, now() from resources r
        where r.organization_id = ? and r.owner_id <> ? and (regexp_replace(r.title, '\\D', '', 'g'))::int % 4 = 0`,
      [member.id, org.id, member.id],
    );
    for (const [name, modulo] of [
      ['A', 2],
      ['B', 3],
      ['C', 5],
    ] as const) {
      await t.sql(
        `insert into project_tags (id, project_id, tag_id, organization_id, created_at)
         select gen_random_uuid(), r.id, ?, r.organization_id, now() from resources r
          where r.organization_id = ? and (regexp_replace(r.title, '\\D', '', 'g'))::int % ${modulo} = 0`,
        [tag[name], org.id],
      );
    }
    await t.sql('analyze');
  });
  afterAll(() => t.close());

  /** Follows nextCursor to the end; the ids in the order served. */
  async function allPages(query: string, token: string, limit = 50): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response: HttpResult = await t.get(
        `/organizations/${org.id}/projects?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
        token,
      );
      expect(response.status).toBe(200);
      expect(response.body.items.length).toBeLessThanOrEqual(limit);
      ids.push(...response.body.items.map((p: { id: string }) => p.id));
      cursor = response.body.nextCursor;
      pages += 1;
      expect(pages).toBeLessThan(PROJECTS);
    } while (cursor);
    return ids;
  }

  /** Newest first: project i was created i seconds after the start. */
  const expected = (keep: (i: number) => boolean) =>
    [...idOf.entries()]
      .filter(([i]) => keep(i))
      .sort(([a], [b]) => b - a)
      .map(([, id]) => id);

  const memberSees = (i: number) => i % 7 === 0 || i % 4 === 0;

  it('tags keeps the projects having all the tags, page after page', async () => {
    const ids = await allPages(`tags=${tag.A},${tag.B}`, org.admin.token);
    expect(ids).toEqual(expected((i) => i % 2 === 0 && i % 3 === 0));
    expect(ids).toHaveLength(500);
  });

  it('three tags of "all of" with owner=me', async () => {
    const ids = await allPages(`tags=${tag.A},${tag.B},${tag.C}&owner=me`, org.admin.token, 7);
    expect(ids).toEqual(expected((i) => i % 30 === 0 && i % 7 !== 0));
  });

  it('tagsAny keeps the projects having at least one of the tags, with owner=me', async () => {
    const ids = await allPages(`tagsAny=${tag.B},${tag.C}&owner=me`, member.token);
    expect(ids).toEqual(expected((i) => (i % 3 === 0 || i % 5 === 0) && i % 7 === 0));
  });

  it('tags and tagsAny together, for a member who sees only their projects', async () => {
    const ids = await allPages(`tags=${tag.A}&tagsAny=${tag.B},${tag.C}`, member.token, 20);
    expect(ids).toEqual(expected((i) => memberSees(i) && i % 2 === 0 && (i % 3 === 0 || i % 5 === 0)));
  });

  it('a tag given twice counts once', async () => {
    const ids = await allPages(`tags=${tag.C},${tag.C}`, org.admin.token, 200);
    expect(ids).toEqual(expected((i) => i % 5 === 0));
  });

  it('a tag id that is not a uuid is a 400', async () => {
    const response = await t.get(`/organizations/${org.id}/projects?tags=nope`, org.admin.token);
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
  });

  it('the personal list filters by tags the same way', async () => {
    const response = await t.get(`/projects?tags=${tag.A},${tag.C}&limit=200`, member.token);
    expect(response.status).toBe(200);
    expect(response.body.items.map((p: { id: string }) => p.id)).toEqual(
      expected((i) => memberSees(i) && i % 10 === 0).slice(0, 200),
    );
  });
});
