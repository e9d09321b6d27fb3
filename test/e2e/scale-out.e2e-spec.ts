import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { createApp } from '../../src/app.factory';
import { AppConfig } from '../../src/config/app-config';
import { withDatabase } from '../../src/database/database-url';
import { migrate } from '../../src/database/migrate';
import { TEST_JWT_SECRET, TestApp } from '../support/test-app';

const serverUrl = () => process.env.TEST_SERVER_URL as string;

async function admin<T>(run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

describe('Stateless instances: the auth rate limit is shared', () => {
  let first: TestApp;
  let second: NestFastifyApplication;
  beforeAll(async () => {
    first = await TestApp.start({ AUTH_RATE_LIMIT_PER_MINUTE: '20' });
    // A second instance on the same database: its own process state, the same counters.
    const config = AppConfig.load({
      NODE_ENV: 'test',
      JWT_SECRET: TEST_JWT_SECRET,
      LOG_LEVEL: 'silent',
      AUTH_RATE_LIMIT_PER_MINUTE: '20',
      MAIL_TRANSPORT: 'log',
    });
    second = await createApp(config, withDatabase(serverUrl(), first.databaseName));
    await second.init();
    await second.getHttpAdapter().getInstance().ready();
  });
  afterAll(async () => {
    await second.close();
    await first.close();
  });

  it('20 logins a minute from one IP across two instances, not 40', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const app = i % 2 === 0 ? first.app : second;
      const answer = await app.inject({
        method: 'POST',
        url: '/auth/login',
        remoteAddress: '203.0.113.7',
        headers: { 'content-type': 'application/json' },
        // A new email each time: only the per-IP key is shared by every request.
        payload: JSON.stringify({ email: `probe${i}@example.test`, password: 'wrong password' }),
      });
      statuses.push(answer.statusCode);
    }
    expect(statuses.filter((status) => status !== 429)).toHaveLength(20);
    expect(statuses.slice(0, 20).every((status) => status === 401)).toBe(true);
    expect(statuses.slice(20).every((status) => status === 429)).toBe(true);
  });

  it('concurrent hits on both instances are counted exactly', async () => {
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        (i % 2 === 0 ? first.app : second).inject({
          method: 'POST',
          url: '/auth/login',
          remoteAddress: '203.0.113.8',
          headers: { 'content-type': 'application/json' },
          payload: JSON.stringify({ email: `burst${i}@example.test`, password: 'wrong password' }),
        }),
      ),
    );
    expect(answers.filter((answer) => answer.statusCode !== 429)).toHaveLength(20);
  });
});

describe('Liveness and readiness', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  it('/health/live answers without the database; /health keeps its answer', async () => {
    expect((await t.get('/health/live')).body).toEqual({ status: 'ok' });
    expect((await t.get('/health')).body).toEqual({ status: 'ok', database: 'up' });
  });

  it('/health/ready is 503 with Retry-After until every committed migration is applied', async () => {
    const [latest] = await t.sql<{ name: string }>(
      'select name from mikro_orm_migrations order by id desc limit 1',
    );
    await t.sql('delete from mikro_orm_migrations where name = ?', [latest.name]);
    const behind = await t.get('/health/ready');
    expect(behind.status).toBe(503);
    expect(behind.body.code).toBe('SERVICE_UNAVAILABLE');
    expect(Number(behind.headers['retry-after'])).toBeGreaterThan(0);

    await t.sql('insert into mikro_orm_migrations (name, executed_at) values (?, now())', [latest.name]);
    const ready = await t.get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ok', database: 'up', migrations: 'current' });
  });
});

describe('Migrations when several instances start together', () => {
  const database = `orgs_migrate_${randomBytes(4).toString('hex')}`;
  beforeAll(() => admin((client) => client.query(`create database ${database}`)));
  afterAll(() => admin((client) => client.query(`drop database if exists ${database} with (force)`)));

  it('four migrate() at once on a fresh database: all succeed, each migration runs once', async () => {
    const url = withDatabase(serverUrl(), database);
    const results = await Promise.allSettled([migrate(url), migrate(url), migrate(url), migrate(url)]);
    expect(results.filter((result) => result.status === 'rejected')).toEqual([]);

    const committed = readdirSync(join(__dirname, '..', '..', 'src', 'migrations')).filter((file) =>
      /^Migration\d+.*\.ts$/.test(file),
    );
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string; runs: number }>(
        'select name, count(*)::int as runs from mikro_orm_migrations group by name',
      );
      expect(rows).toHaveLength(committed.length);
      expect(rows.every((row) => row.runs === 1)).toBe(true);
    } finally {
      await client.end();
    }
  });
});
