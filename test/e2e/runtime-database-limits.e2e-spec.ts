import { Client } from 'pg';
import { withDatabase } from '../../src/database/database-url';
import { createUser, TestUser } from '../factories/users.factory';
import { HttpResult, TestApp } from '../support/test-app';

/**
 * Another session holds an exclusive lock on `users`, which every authenticated request reads:
 * the app's queries wait on it as they would behind a slow statement.
 */
async function lockUsers(
  t: TestApp,
): Promise<{ release: () => Promise<void>; waiters: () => Promise<number> }> {
  const session = new Client({
    connectionString: withDatabase(process.env.TEST_SERVER_URL!, t.databaseName),
  });
  await session.connect();
  await session.query('begin');
  await session.query('lock table users in access exclusive mode');
  return {
    release: async () => {
      await session.query('rollback');
      await session.end();
    },
    waiters: async () => {
      const { rows } = await session.query<{ count: string }>(
        `select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
      );
      return Number(rows[0].count);
    },
  };
}

const expectUnavailable = (response: HttpResult) => {
  expect(response.status).toBe(503);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.headers['retry-after']).toMatch(/^[1-9][0-9]*$/);
  expect(response.body).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
};

describe('A statement that runs past the statement timeout', () => {
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    t = await TestApp.start({ DB_STATEMENT_TIMEOUT_MS: '300' });
    user = await createUser(t);
  });
  afterAll(() => t.close());

  it('is cancelled by PostgreSQL and answered 503, and the connection serves the next request', async () => {
    const lock = await lockUsers(t);
    try {
      expectUnavailable(await t.get('/me', user.token));
    } finally {
      await lock.release();
    }
    expect((await t.get('/me', user.token)).status).toBe(200);
  }, 15_000);
});

describe('A request that finds the pool exhausted', () => {
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    t = await TestApp.start({
      DB_POOL_MAX: '1',
      DB_POOL_ACQUIRE_TIMEOUT_MS: '200',
      DB_STATEMENT_TIMEOUT_MS: '60000',
    });
    user = await createUser(t);
  });
  afterAll(() => t.close());

  it('waits the acquire timeout and is answered 503, while the request holding the connection completes', async () => {
    const lock = await lockUsers(t);
    let holder: Promise<HttpResult> | undefined;
    try {
      // The pool's only connection waits on the lock, inside this request.
      holder = t.get('/me', user.token);
      while ((await lock.waiters()) === 0) await new Promise((resolve) => setImmediate(resolve));
      expectUnavailable(await t.get('/me', user.token));
    } finally {
      await lock.release();
    }
    expect((await holder).status).toBe(200);
  }, 15_000);
});
