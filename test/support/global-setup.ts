import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { withDatabase } from '../../src/database/database-url';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';

/**
 * One PostgreSQL for the run (DATABASE_URL, or an embedded one in a temp dir), and one migrated
 * template database that every test file clones: real SQL, real migrations, fast isolation.
 */
export default async function globalSetup(): Promise<void> {
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const running = await startEmbeddedPostgres(await mkdtemp(join(tmpdir(), 'orgs-test-')), {
      persistent: false,
    });
    serverUrl = running.url;
    (globalThis as { stopTestPostgres?: () => Promise<void> }).stopTestPostgres = running.stop;
  }
  const template = `orgs_tpl_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${template}`);
  await admin.end();
  // In a child process: MikroORM loaded here, outside jest's sandbox, would share its global
  // metadata with the copy a test file loads when jest runs in band, and break it.
  execFileSync(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', 'src/cli/main.ts', 'migration', 'up'],
    {
      env: { ...process.env, DATABASE_URL: withDatabase(serverUrl, template) },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );

  process.env.TEST_SERVER_URL = serverUrl;
  process.env.TEST_TEMPLATE_DB = template;
}
