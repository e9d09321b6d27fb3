import { buildIdealServer } from '../../bench/baselines/ideal-server';
import { createOrganization, TestOrganization } from '../factories/organizations.factory';
import { createResource, createTag } from '../factories/resources.factory';
import { HttpResult, TEST_JWT_SECRET, TestApp } from '../support/test-app';

type IdealServer = Awaited<ReturnType<typeof buildIdealServer>>;

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const TIME = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d(:\d\d)?)/g;

/** One write of the bench, numbered (n) so that ours and the ideal's never collide. */
interface Write {
  name: string;
  request(n: number): { url: string; body: Record<string, unknown> };
}

/**
 * The bench's ideal baseline (bench/baselines/ideal-server.ts) measures the machine's limit for our
 * writes: that holds only while it writes what ours writes. Each write is sent once to our app and
 * once to the ideal server on the same database, and the rows each wrote (ids, times and the
 * request's own number aside) and the answers must be the same.
 */
describe('The ideal baseline writes what our routes write', () => {
  let t: TestApp;
  let ideal: IdealServer;
  let org: TestOrganization;
  const projects: string[] = [];
  let tagId: string;

  beforeAll(async () => {
    t = await TestApp.start();
    ideal = await buildIdealServer({ databaseUrl: t.databaseUrl, jwtSecret: TEST_JWT_SECRET });
    org = await createOrganization(t);
    for (let i = 0; i < 2; i++) projects.push((await createResource(t, org.admin, 'project')).id);
    tagId = await createTag(t, org.id);
  });
  afterAll(async () => {
    await ideal.close();
    await t.close();
  });

  const writes: Write[] = [
    {
      name: 'adding a member by email',
      request: (n) => ({
        url: `/organizations/${org.id}/members`,
        body: { email: `added.${n}@${org.domains[0]}`, type: 'member' },
      }),
    },
    {
      name: 'inviting a collaborator by email',
      request: (n) => ({
        url: `/projects/${projects[0]}/collaborators`,
        body: { emails: [`invited.${n}@annotators.test`], role: 'annotator' },
      }),
    },
    {
      name: 'tagging a project',
      request: (n) => ({ url: `/projects/${projects[n]}/tags`, body: { tagId } }),
    },
    {
      name: 'creating a project',
      request: (n) => ({ url: '/projects', body: { title: `made ${n}`, description: 'compared' } }),
    },
  ];

  /** Ids the two requests share keep their names; every other id, every time and the number are masked. */
  const normalized = (value: unknown, n: number) => {
    const shared = new Map<string, string>([
      [org.id, 'ORG'],
      [org.admin.id, 'ADMIN'],
      [tagId, 'TAG'],
      // Ours tags the first project and the ideal the second; everything else goes to the first.
      [projects[0], 'PROJECT'],
      [projects[1], 'PROJECT'],
    ]);
    return JSON.stringify(value)
      .replace(UUID, (id) => shared.get(id) ?? 'ID')
      .replace(TIME, 'TIME')
      .replace(new RegExp(`(added\\.|invited\\.|made )${n}\\b`, 'g'), '$1N')
      .replace(new RegExp(`"(added|invited|made)?${n} "`, 'g'), '"$1N "');
  };

  /** The rows written while `send` ran (new rows, and the project quota's change), each as JSON, sorted. */
  async function rowsWrittenBy(send: () => Promise<HttpResult>) {
    const [{ mark }] = await t.sql<{ mark: string }>(`select clock_timestamp()::text as mark`);
    const quota = () =>
      t.sql<{ used: number }>(
        `select coalesce(sum(used), 0)::int as used from quota_usage where organization_id = ?`,
        [org.id],
      );
    const [before] = await quota();
    const answer = await send();
    const [after] = await quota();
    const rows = await t.sql<{ written: unknown }>(
      `select jsonb_build_object('table', 'users', 'row', to_jsonb(u)) as written from users u where u.created_at >= ?::timestamptz
       union all select jsonb_build_object('table', 'member_search_words', 'row', to_jsonb(w)) from member_search_words w
        where w.user_id in (select id from users where created_at >= ?::timestamptz)
       union all select jsonb_build_object('table', 'memberships', 'row', to_jsonb(m)) from memberships m where m.created_at >= ?::timestamptz
       union all select jsonb_build_object('table', 'invitations', 'row', to_jsonb(i)) from invitations i where i.created_at >= ?::timestamptz
       union all select jsonb_build_object('table', 'collaborators', 'row', to_jsonb(c)) from collaborators c where c.created_at >= ?::timestamptz
       union all select jsonb_build_object('table', 'resources', 'row', to_jsonb(r)) from resources r where r.created_at >= ?::timestamptz
       union all select jsonb_build_object('table', 'project_tags', 'row', to_jsonb(p)) from project_tags p where p.created_at >= ?::timestamptz
       union all select jsonb_build_object('table', 'audit_events', 'row', to_jsonb(a)) from audit_events a where a.created_at >= ?::timestamptz
       union all select jsonb_build_object('table', 'webhook_events', 'row', to_jsonb(e)) from webhook_events e where e.created_at >= ?::timestamptz`,
      Array(9).fill(mark),
    );
    return { answer, rows: rows.map((r) => r.written), quotaUsed: after.used - before.used };
  }

  const sendOurs = (write: Write) => {
    const { url, body } = write.request(0);
    return t.post(url, body, org.admin.token);
  };
  const sendIdeal = async (write: Write): Promise<HttpResult> => {
    const { url, body } = write.request(1);
    const response = await ideal.app.inject({
      method: 'POST',
      url,
      payload: body,
      headers: { authorization: `Bearer ${org.admin.token}` },
    });
    return { status: response.statusCode, body: response.json(), headers: response.headers };
  };

  it.each(writes.map((write) => [write.name, write] as const))(
    '%s: the same rows and the same answer',
    async (_name, write) => {
      const ours = await rowsWrittenBy(() => sendOurs(write));
      const theirs = await rowsWrittenBy(() => sendIdeal(write));
      const shape = (written: Awaited<ReturnType<typeof rowsWrittenBy>>, n: number) => ({
        status: written.answer.status,
        body: normalized(written.answer.body, n),
        rows: written.rows.map((row) => normalized(row, n)).sort(),
        quotaUsed: written.quotaUsed,
      });
      expect(ours.answer.status).toBe(201);
      expect(ours.rows.length).toBeGreaterThan(0);
      expect(shape(theirs, 1)).toEqual(shape(ours, 0));
    },
  );
});
