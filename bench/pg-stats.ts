import { withClient } from './bench-database';

/** One normalized statement as pg_stat_statements counts it over a measurement. */
export interface PgStatement {
  query: string;
  calls: number;
  /** Per call, in milliseconds. */
  meanExecMs: number;
  totalExecMs: number;
  rowsPerCall: number;
  /** Shared buffers hit and read per call: the pages the statement touched. */
  buffersPerCall: number;
}

/**
 * `pg_stat_statements`, when the server loads it (the embedded cluster of the bench does; a DATABASE_URL
 * server may not): undefined when available, otherwise why not.
 */
export async function pgStatsUnavailable(url: string): Promise<string | undefined> {
  try {
    await withClient(url, async (client) => {
      await client.query('create extension if not exists pg_stat_statements');
      await client.query('select 1 from pg_stat_statements limit 1');
    });
    return undefined;
  } catch (error) {
    return `pg_stat_statements is not loaded by this server (${String((error as Error).message)})`;
  }
}

export async function resetPgStats(url: string): Promise<void> {
  await withClient(url, (client) => client.query('select pg_stat_statements_reset()'));
}

/** The statements of this database since the last reset, the most time-consuming first. */
export async function topPgStatements(url: string, limit = 5): Promise<PgStatement[]> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{
      query: string;
      calls: string;
      total_exec_time: number;
      rows: string;
      buffers: string;
    }>(
      `select query, calls, total_exec_time, rows, shared_blks_hit + shared_blks_read as buffers
         from pg_stat_statements
        where dbid = (select oid from pg_database where datname = current_database())
          and query not ilike '%pg_stat_statements%'
        order by total_exec_time desc
        limit $1`,
      [limit],
    );
    return rows.map((row) => {
      const calls = Number(row.calls);
      return {
        query: row.query.replace(/\s+/g, ' ').trim(),
        calls,
        totalExecMs: row.total_exec_time,
        meanExecMs: calls ? row.total_exec_time / calls : 0,
        rowsPerCall: calls ? Number(row.rows) / calls : 0,
        buffersPerCall: calls ? Number(row.buffers) / calls : 0,
      };
    });
  });
}
