import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { withDatabase } from '../../src/database/database-url';
import { migrate } from '../../src/database/migrate';
import { createOrganization, TestOrganization } from '../factories/organizations.factory';
import { PostgresProcess } from '../support/postgres-process';
import { HttpResult, TestApp } from '../support/test-app';

const TEMPLATE = 'orgs_outage_tpl';

/** This file stops and restarts a PostgreSQL of its own; the other test files share theirs. */
describe('Service while PostgreSQL is down', () => {
  let dataDir: string;
  let postgres: PostgresProcess;
  let t: TestApp;
  let org: TestOrganization;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'orgs-outage-'));
    postgres = await PostgresProcess.start(dataDir);
    const admin = new Client({ connectionString: postgres.url });
    await admin.connect();
    await admin.query(`create database ${TEMPLATE}`);
    await admin.end();
    await migrate(withDatabase(postgres.url, TEMPLATE));
    t = await TestApp.start({}, { server: { url: postgres.url, template: TEMPLATE } });
    org = await createOrganization(t);
  }, 120_000);

  afterAll(async () => {
    await t?.close().catch(() => undefined);
    await postgres?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const expectUnavailable = (response: HttpResult) => {
    expect(response.status).toBe(503);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.headers['retry-after']).toMatch(/^[1-9][0-9]*$/);
    expect(response.body).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    expect(response.body.retryAfter).toBe(Number(response.headers['retry-after']));
  };

  const listMembers = () => t.get(`/organizations/${org.id}/members`, org.admin.token);
  const createGroup = (name: string) => t.post(`/organizations/${org.id}/groups`, { name }, org.admin.token);

  it('every route answers 503 problem details with Retry-After, and the service recovers when it is back', async () => {
    expect((await listMembers()).status).toBe(200);

    await postgres.stop();
    expectUnavailable(await listMembers());
    expectUnavailable(await createGroup('During the outage'));
    expectUnavailable(await t.get('/health'));
    expectUnavailable(await t.get('/me', org.admin.token));

    await postgres.restart();
    expect((await t.get('/health')).status).toBe(200);
    expect((await listMembers()).status).toBe(200);
    expect((await createGroup('After the outage')).status).toBe(201);
    const groups = await t.sql<{ name: string }>('select name from groups where organization_id = ?', [
      org.id,
    ]);
    expect(groups.map((group) => group.name)).toEqual(['After the outage']);
  });
});
