import { Client } from 'pg';

export default async function globalTeardown(): Promise<void> {
  const serverUrl = process.env.TEST_SERVER_URL;
  const template = process.env.TEST_TEMPLATE_DB;
  const stop = (globalThis as { stopTestPostgres?: () => Promise<void> }).stopTestPostgres;
  if (stop) {
    await stop();
    return;
  }
  if (serverUrl && template) {
    // A shared server (DATABASE_URL): leave it as it was found.
    const admin = new Client({ connectionString: serverUrl });
    await admin.connect();
    const { rows } = await admin.query<{ datname: string }>(
      `select datname from pg_database where datname = $1 or datname like $2`,
      [template, `${template}_%`],
    );
    for (const { datname } of rows) await admin.query(`drop database if exists ${datname} with (force)`);
    await admin.end();
  }
}
