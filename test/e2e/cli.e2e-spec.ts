import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { withDatabase } from '../../src/database/database-url';
import { AppConfig } from '../../src/config/app-config';
import { grantConfiguredPlatformAdmins } from '../../src/modules/auth/platform-admins';
import { createUser } from '../factories/users.factory';
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

  it('verified users listed in PLATFORM_ADMIN_EMAILS are granted at boot; unverified ones wait for verification', async () => {
    const verified = await createUser(t, { email: 'listed.one@example.test' });
    const unverified = await createUser(t, { email: 'listed.two@example.test', verified: false });
    const config = AppConfig.load({
      PLATFORM_ADMIN_EMAILS: 'Listed.One@example.test,listed.two@example.test',
    });
    await grantConfiguredPlatformAdmins(t.app, config);
    const rows = await t.sql(`select id, is_platform_admin from users where id in (?, ?)`, [
      verified.id,
      unverified.id,
    ]);
    expect(Object.fromEntries(rows.map((r) => [r.id, r.is_platform_admin]))).toEqual({
      [verified.id]: true,
      [unverified.id]: false,
    });
  });

  it('an unknown command prints the usage and fails', async () => {
    await expect(cli('nonsense')).rejects.toMatchObject({
      stderr: expect.stringMatching(/usage: npm run cli/),
    });
  });
});
