import { resolve } from 'node:path';
import { Client } from 'pg';
import { AppConfig } from '../src/config/app-config';
import { withDatabase } from '../src/database/database-url';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres';

/** The embedded cluster's database for the scale data: kept apart from the development data in `postgres`. */
export const EMBEDDED_BENCH_DATABASE = 'orgs_bench';

export interface BenchDatabase {
  /** Where the seeded data lives, as the server will be given it. */
  url: string;
  /** The embedded cluster was started by us (and is stopped by `stop`). */
  embedded: boolean;
  /** Which database this is, stable across runs (the embedded cluster's port is not). */
  label: string;
  stop(): Promise<void>;
}

/**
 * DATABASE_URL when set, as it is. Otherwise the embedded cluster under DATA_DIR, started now, and its
 * `orgs_bench` database (created when missing), so a million seeded users never land in the
 * database that `npm start` uses.
 */
export async function openBenchDatabase(config: AppConfig): Promise<BenchDatabase> {
  if (config.DATABASE_URL) {
    const url = config.DATABASE_URL;
    return { url, embedded: false, label: redactUrl(url), stop: async () => undefined };
  }
  // pg_stat_statements must be loaded at start; the bench reads it to say where PostgreSQL's time goes.
  const server = await startEmbeddedPostgres(config.DATA_DIR, {
    postgresFlags: [
      '-c',
      'shared_preload_libraries=pg_stat_statements',
      '-c',
      'pg_stat_statements.track=top',
    ],
  });
  try {
    await withClient(server.url, async (client) => {
      const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [
        EMBEDDED_BENCH_DATABASE,
      ]);
      if (!rowCount) await client.query(`create database ${EMBEDDED_BENCH_DATABASE}`);
    });
  } catch (error) {
    await server.stop();
    throw error;
  }
  return {
    url: withDatabase(server.url, EMBEDDED_BENCH_DATABASE),
    embedded: true,
    label: `embedded PostgreSQL in ${resolve(config.DATA_DIR)}, database ${EMBEDDED_BENCH_DATABASE}`,
    stop: server.stop,
  };
}

/**
 * Empties the bench database completely: the embedded one is dropped and created again; a
 * DATABASE_URL database loses its `public` schema (and so every table, function and migration record).
 */
export async function wipeBenchDatabase(database: BenchDatabase): Promise<void> {
  if (database.embedded) {
    await withClient(withDatabase(database.url, 'postgres'), async (client) => {
      await client.query(`drop database if exists ${EMBEDDED_BENCH_DATABASE} with (force)`);
      await client.query(`create database ${EMBEDDED_BENCH_DATABASE}`);
    });
    return;
  }
  await withClient(database.url, async (client) => {
    await client.query('drop schema if exists public cascade');
    await client.query('create schema public');
  });
}

export async function withClient<T>(url: string, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** A URL fit for a report: the password masked. */
export function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
