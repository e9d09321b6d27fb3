import { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { closeGracefully } from '../../src/common/graceful-shutdown';
import { withDatabase } from '../../src/database/database-url';
import { createOrganization, TestOrganization } from '../factories/organizations.factory';
import { TestApp } from '../support/test-app';

interface Outcome {
  name: string;
  status?: number;
  id?: string;
  error?: string;
}

/** What SIGTERM does in main.ts, under a steady load of writes over keep-alive connections. */
describe('Graceful shutdown', () => {
  let t: TestApp;
  let org: TestOrganization;
  let session: Client;
  beforeAll(async () => {
    t = await TestApp.start();
    org = await createOrganization(t);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    session = new Client({ connectionString: withDatabase(process.env.TEST_SERVER_URL!, t.databaseName) });
    await session.connect();
  });
  afterAll(async () => {
    await session.end();
    await t.close().catch(() => undefined);
  });

  it('finishes the requests in flight before the pool closes: every 201 is stored, no request is cut', async () => {
    const base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    const createGroup = async (name: string): Promise<Outcome> => {
      try {
        const response = await fetch(`${base}/organizations/${org.id}/groups`, {
          method: 'POST',
          headers: { authorization: `Bearer ${org.admin.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name }),
        });
        const text = await response.text();
        return {
          name,
          status: response.status,
          id: response.status === 201 ? JSON.parse(text).id : undefined,
        };
      } catch (error) {
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        return { name, error: cause?.code ?? cause?.message ?? String(error) };
      }
    };

    const outcomes: Outcome[] = [];
    let stopped = false;
    const worker = async (workerId: number) => {
      for (let i = 0; !stopped; i++) {
        const outcome = await createGroup(`Load ${workerId}-${i}`);
        outcomes.push(outcome);
        if (outcome.error) stopped = true;
      }
    };

    // One write is held inside its transaction by a lock, so a request is surely in flight at SIGTERM.
    await session.query('begin');
    await session.query('lock table groups in share mode');
    const held = createGroup('Held across the shutdown');
    while (
      Number(
        (
          await session.query(
            `select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
          )
        ).rows[0].count,
      ) === 0
    );
    const load = Promise.all([1, 2, 3, 4].map(worker));
    const closing = closeGracefully(t.app, 20_000);
    await session.query('rollback');
    await closing;
    stopped = true;
    await load;

    const heldOutcome = await held;
    expect(heldOutcome.status).toBe(201);
    const all = [heldOutcome, ...outcomes];
    const stored = new Set(
      (
        await session.query<{ name: string }>('select name from groups where organization_id = $1', [org.id])
      ).rows.map((row) => row.name),
    );
    for (const outcome of all) {
      if (outcome.status === 201) expect(stored.has(outcome.name)).toBe(true);
      else if (outcome.status !== undefined) expect(outcome.status).toBe(503);
      // No answer: refused before it was served, so nothing of it was written.
      else expect(stored.has(outcome.name)).toBe(false);
    }
  }, 30_000);
});
