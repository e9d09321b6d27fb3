import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import { Pool } from 'pg';
import type { CapturedStatement } from '../sql-capture-proxy';

/**
 * The limit the service is compared with: bare Fastify and `pg`, no framework, no auth, no ORM.
 * `GET /hello` answers a constant; `GET /member-projects` runs, in order and on one connection,
 * exactly the statements (SQL and values) the service ran for one member project-list request,
 * as the bench captured them, and answers the last statement's rows.
 *
 * Environment: BASELINE_PORT, BASELINE_DATABASE_URL, BASELINE_STATEMENTS (a JSON file of
 * captured statements; without it only /hello is served).
 */
async function main(): Promise<void> {
  const app = Fastify({ logger: false });
  app.get('/hello', async () => ({ hello: 'world' }));

  const statementsFile = process.env.BASELINE_STATEMENTS;
  const pool = new Pool({ connectionString: process.env.BASELINE_DATABASE_URL, max: 10 });
  if (statementsFile) {
    const statements = JSON.parse(readFileSync(statementsFile, 'utf8')) as CapturedStatement[];
    app.get('/member-projects', async () => {
      const client = await pool.connect();
      try {
        let rows: unknown[] = [];
        for (const statement of statements) {
          const result = await client.query(statement.sql, statement.params);
          if (result.rows.length > 0) rows = result.rows;
        }
        return { items: rows };
      } finally {
        client.release();
      }
    });
  }
  const close = async () => {
    await app.close();
    await pool.end();
    process.exit(0);
  };
  process.once('SIGTERM', () => void close());
  process.once('SIGINT', () => void close());
  await app.listen({ port: Number(process.env.BASELINE_PORT), host: '127.0.0.1' });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
