import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { withDatabase } from '../../src/database/database-url';
import { TestApp } from '../support/test-app';

const run = promisify(execFile);

describe('Operator CLI', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  const cli = (...args: string[]) =>
    run(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/cli/main.ts', ...args], {
      env: { ...process.env, DATABASE_URL: withDatabase(process.env.TEST_SERVER_URL!, t.databaseName) },
    });

  it('platform-admin grant makes the first platform admin, creating an invited account when needed', async () => {
    const { stdout } = await cli('platform-admin', 'grant', 'First.Operator@Example.test');
    expect(stdout).toMatch(/first\.operator@example\.test: platform admin granted/);
    const [row] = await t.sql(
      `select is_platform_admin, password_hash from users where email = 'first.operator@example.test'`,
    );
    expect(row).toEqual({ is_platform_admin: true, password_hash: null });
  });

  it('platform-admin revoke takes the flag away', async () => {
    await cli('platform-admin', 'grant', 'temp.operator@example.test');
    await cli('platform-admin', 'revoke', 'temp.operator@example.test');
    const [row] = await t.sql(
      `select is_platform_admin from users where email = 'temp.operator@example.test'`,
    );
    expect(row.is_platform_admin).toBe(false);
  });

  it('an unknown command prints the usage and fails', async () => {
    await expect(cli('nonsense')).rejects.toMatchObject({
      stderr: expect.stringMatching(/usage: npm run cli/),
    });
  });
});
