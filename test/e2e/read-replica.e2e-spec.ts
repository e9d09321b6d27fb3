import { Client } from 'pg';
import { migrate } from '../../src/database/migrate';
import { createMember, createOrganization, TestOrganization } from '../factories/organizations.factory';
import { TestUser } from '../factories/users.factory';
import { postgresBinariesPresent, StreamingPair } from '../support/streaming-replica';
import { TestApp } from '../support/test-app';

/** CI sets this: there, a machine without the binaries is a failure, not a skip. */
const required = process.env.REPLICA_TEST_REQUIRED === 'true';
const describeWithBinaries = postgresBinariesPresent() || required ? describe : describe.skip;

async function query<T extends object>(url: string, text: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

describeWithBinaries('Read replica (DATABASE_REPLICA_URLS) with read-your-writes', () => {
  let pair: StreamingPair;
  let t: TestApp;
  let org: TestOrganization;
  let reader: TestUser;

  const groupNames = async (token: string) => {
    const answer = await t.get(`/organizations/${org.id}/groups?limit=200`, token);
    expect(answer.status).toBe(200);
    return (answer.body.items as { name: string }[]).map((group) => group.name);
  };

  /** Until the replica has replayed everything the primary has written so far. */
  const replicaCaughtUp = async () => {
    const [{ lsn }] = await query<{ lsn: string }>(
      pair.url('primary'),
      'select pg_current_wal_insert_lsn()::text as lsn',
    );
    for (let i = 0; i < 200; i++) {
      const [{ done }] = await query<{ done: boolean }>(
        pair.url('replica'),
        `select pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn as done`,
      );
      if (done) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the replica did not catch up');
  };

  beforeAll(async () => {
    pair = await StreamingPair.start();
    await query(pair.url('primary'), 'create database orgs_tpl');
    await migrate(pair.url('primary', 'orgs_tpl'));
    t = await TestApp.start(
      { DATABASE_REPLICA_URLS: pair.url('replica', 'orgs') },
      { server: { url: pair.url('primary'), template: 'orgs_tpl' }, database: 'orgs' },
    );
    org = await createOrganization(t);
    reader = await createMember(t, org.id, 'member');
    await replicaCaughtUp();
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await pair?.stop();
  });

  it('while the replica lags, the writer reads their write from the primary; another caller gets the replica', async () => {
    await query(pair.url('replica'), 'select pg_wal_replay_pause()');
    try {
      const created = await t.post(
        `/organizations/${org.id}/groups`,
        { name: 'Written while paused' },
        org.admin.token,
      );
      expect(created.status).toBe(201);

      expect(await groupNames(org.admin.token)).toContain('Written while paused');
      // The reader never wrote: the replica serves them, and it has not replayed the group yet.
      expect(await groupNames(reader.token)).not.toContain('Written while paused');
    } finally {
      await query(pair.url('replica'), 'select pg_wal_replay_resume()');
    }
    await replicaCaughtUp();
    expect(await groupNames(reader.token)).toContain('Written while paused');
  });

  it('write then read at once, 40 times: never an older answer', async () => {
    for (let i = 0; i < 40; i++) {
      const name = `Group ${String(i).padStart(2, '0')}`;
      const created = await t.post(`/organizations/${org.id}/groups`, { name }, org.admin.token);
      expect(created.status).toBe(201);
      expect(await groupNames(org.admin.token)).toContain(name);
      const removed = await t.delete(`/organizations/${org.id}/groups/${created.body.id}`, org.admin.token);
      expect(removed.status).toBe(204);
      expect(await groupNames(org.admin.token)).not.toContain(name);
    }
  });
});
