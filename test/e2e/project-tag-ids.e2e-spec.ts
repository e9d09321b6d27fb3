import { Client } from 'pg';
import { withDatabase } from '../../src/database/database-url';
import { createOrganization, TestOrganization } from '../factories/organizations.factory';
import { insertResource } from '../factories/resources.factory';
import { TestApp } from '../support/test-app';

/**
 * `resources.tag_ids`, the copy of a project's project_tags rows that the tag filters read, is kept by
 * triggers in the writing transaction: it never differs from project_tags, whatever runs at once.
 */
describe('The tag ids on a project row', () => {
  let t: TestApp;
  let org: TestOrganization;
  const tags: string[] = [];
  const clients: Client[] = [];

  const connect = async (): Promise<Client> => {
    const client = new Client({
      connectionString: withDatabase(process.env.TEST_SERVER_URL!, t.databaseName),
    });
    await client.connect();
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    t = await TestApp.start();
    org = await createOrganization(t);
    for (let i = 0; i < 6; i++) {
      tags.push(
        (await t.post(`/organizations/${org.id}/tags`, { name: `Tag ${i}` }, org.admin.token)).body.id,
      );
    }
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.end()));
    await t.close();
  });

  const newProject = () =>
    insertResource(t, { kind: 'project', ownerId: org.admin.id, organizationId: org.id }).then((p) => p.id);

  const tagIdsOf = async (projectId: string): Promise<string[]> => {
    const [row] = await t.sql<{ tag_ids: string[] }>('select tag_ids from resources where id = ?', [
      projectId,
    ]);
    return [...row.tag_ids].sort();
  };

  /** Projects whose row disagrees with their project_tags rows. */
  const driftedProjects = () =>
    t.sql<{ id: string }>(
      `select r.id from resources r
        where r.organization_id = ?
          and array(select x from unnest(r.tag_ids) x order by x)
              <> array(select pt.tag_id from project_tags pt where pt.project_id = r.id order by pt.tag_id)`,
      [org.id],
    );

  const backendPid = async (client: Client): Promise<number> =>
    (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0].pid;

  /** Resolves once the backend `pid` waits for a lock. */
  async function waitUntilWaiting(pid: number): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const [row] = await t.sql<{ waiting: boolean }>(
        `select coalesce(wait_event_type = 'Lock', false) as waiting from pg_stat_activity where pid = ?`,
        [pid],
      );
      if (row?.waiting) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`backend ${pid} never waited for a lock`);
  }

  const insertTag = (client: Client, projectId: string, tagId: string) =>
    client.query(
      `insert into project_tags (id, project_id, tag_id, organization_id, created_at)
       values (gen_random_uuid(), $1, $2, $3, now())`,
      [projectId, tagId, org.id],
    );

  it('two transactions tagging one project at once both leave their tag on its row', async () => {
    const project = await newProject();
    const [first, second] = [await connect(), await connect()];
    const secondPid = await backendPid(second);
    await first.query('begin');
    await insertTag(first, project, tags[0]);
    await second.query('begin');
    const waiting = insertTag(second, project, tags[1]);
    await waitUntilWaiting(secondPid);
    await first.query('commit');
    await waiting;
    await second.query('commit');
    expect(await tagIdsOf(project)).toEqual([tags[0], tags[1]].sort());
  });

  it('an untagging and a tagging of one project at once: the row has exactly the tag added', async () => {
    const project = await newProject();
    expect((await t.post(`/projects/${project}/tags`, { tagId: tags[0] }, org.admin.token)).status).toBe(201);
    const [first, second] = [await connect(), await connect()];
    const secondPid = await backendPid(second);
    await first.query('begin');
    await first.query('delete from project_tags where project_id = $1 and tag_id = $2', [project, tags[0]]);
    await second.query('begin');
    const waiting = insertTag(second, project, tags[2]);
    await waitUntilWaiting(secondPid);
    await first.query('commit');
    await waiting;
    await second.query('commit');
    expect(await tagIdsOf(project)).toEqual([tags[2]]);
  });

  it('many concurrent tag and untag requests leave every row equal to its project_tags', async () => {
    const projects = await Promise.all([1, 2, 3, 4].map(() => newProject()));
    // A fixed pseudo-random sequence: the same interleavings are tried on every run.
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let round = 0; round < 6; round++) {
      const requests = Array.from({ length: 24 }, () => {
        const project = projects[next(projects.length)];
        const tagId = tags[next(tags.length)];
        return next(3) === 0
          ? t.delete(`/projects/${project}/tags/${tagId}`, org.admin.token)
          : t.post(`/projects/${project}/tags`, { tagId }, org.admin.token);
      });
      for (const response of await Promise.all(requests))
        expect([200, 201, 204, 404]).toContain(response.status);
    }
    expect(await driftedProjects()).toEqual([]);
  });

  it("deleting a tag takes it off every project's row", async () => {
    const projects = await Promise.all([1, 2, 3].map(() => newProject()));
    for (const project of projects) {
      await t.post(`/projects/${project}/tags`, { tagId: tags[4] }, org.admin.token);
      await t.post(`/projects/${project}/tags`, { tagId: tags[5] }, org.admin.token);
    }
    expect(
      (await t.delete(`/organizations/${org.id}/tags/${tags[4]}?confirm=true`, org.admin.token)).status,
    ).toBe(204);
    for (const project of projects) expect(await tagIdsOf(project)).toEqual([tags[5]]);
    expect(await driftedProjects()).toEqual([]);
  });
});
