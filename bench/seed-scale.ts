import 'reflect-metadata';
import { AppConfig } from '../src/config/app-config';
import { migrate } from '../src/database/migrate';
import { hashPassword } from '../src/modules/auth/password-hasher';
import { BenchDatabase, openBenchDatabase, wipeBenchDatabase, withClient } from './bench-database';
import {
  BENCH_STATE_VERSION,
  BenchState,
  benchStatePath,
  readBenchState,
  writeBenchState,
} from './bench-state';
import { ProgressBar } from './progress-bar';
import {
  ADMIN_EMAIL,
  AUTOCOMPLETE_PREFIXES,
  BIG_ORG_SQL,
  FULL_SCALE,
  runSeedSteps,
  SAMPLE_EMAIL,
  SEEDED_TABLES,
  uuidSql,
} from './scale-data';

/**
 * `npm run seed:scale [-- --reset]`: the full scale data set (see scale-data.ts) into the bench
 * database, in one transaction, so the database holds either the whole seed or none of it.
 * A second run finds the seed and does nothing; `--reset` wipes the database and seeds again.
 */

/** Every seeded user's password (one shared hash: hashing a million passwords would take hours). */
const PASSWORD = 'bench-password-0123';

async function isSeeded(url: string): Promise<boolean> {
  return withClient(url, async (client) => {
    const { rowCount } = await client.query(`select 1 from organizations where id = ${BIG_ORG_SQL}`);
    return (rowCount ?? 0) > 0;
  });
}

async function seed(database: BenchDatabase, dataDir: string): Promise<BenchState> {
  const started = Date.now();
  const passwordHash = await hashPassword(PASSWORD);
  const timings = await withClient(database.url, async (client) => {
    await client.query('begin');
    let steps: { step: string; seconds: number }[];
    try {
      await client.query(`set local synchronous_commit = off`);
      await client.query(`set local maintenance_work_mem = '256MB'`);
      await client.query(`set local work_mem = '64MB'`);
      steps = await runSeedSteps(client, FULL_SCALE, passwordHash, {
        progress: { step: (name, total) => new ProgressBar(name, total) },
      });
      const commitStarted = Date.now();
      await client.query('commit');
      steps.push({ step: 'commit', seconds: (Date.now() - commitStarted) / 1000 });
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    }
    const vacuumStarted = Date.now();
    process.stderr.write('  vacuum analyze ...\n');
    // Fresh statistics for the planner, and a visibility map so index-only scans stay index-only.
    await client.query(`vacuum (analyze) ${SEEDED_TABLES.join(', ')}`);
    steps.push({ step: 'vacuum analyze', seconds: (Date.now() - vacuumStarted) / 1000 });
    return steps;
  });
  const state = await describeSeed(database, (Date.now() - started) / 1000, timings);
  writeBenchState(dataDir, state);
  return state;
}

/** Reads back from the database what the bench needs to know about the seed. */
async function describeSeed(
  database: BenchDatabase,
  seedSeconds: number,
  seedSteps: { step: string; seconds: number }[],
): Promise<BenchState> {
  return withClient(database.url, async (client) => {
    const counts: Record<string, number> = {};
    for (const table of SEEDED_TABLES) {
      const { rows } = await client.query<{ n: string }>(`select count(*) as n from ${table}`);
      counts[table] = Number(rows[0].n);
    }
    const ids = await client.query<{ big: string; admin: string; sample: string }>(
      `select ${BIG_ORG_SQL} as big, ${uuidSql('user', 1)} as admin, ${uuidSql('user', 2)} as sample`,
    );
    const { big, admin, sample } = ids.rows[0];
    const sampleProjects = await client.query<{ id: string }>(
      `select resource_id as id from collaborators where user_id = $1
       union
       select rg.resource_id from resource_groups rg join group_members gm on gm.group_id = rg.group_id
        where gm.user_id = $1`,
      [sample],
    );
    const direct = await client.query<{ id: string }>(
      `select resource_id as id from collaborators where user_id = $1 order by resource_id limit 50`,
      [sample],
    );
    const topTags = await client.query<{ tag_id: string }>(
      `select tag_id from project_tags where organization_id = $1
        group by tag_id order by count(*) desc, tag_id limit 3`,
      [big],
    );
    const prefixes: { prefix: string; users: number }[] = [];
    for (const prefix of AUTOCOMPLETE_PREFIXES) {
      const { rows } = await client.query<{ n: string }>(
        `select count(distinct user_id) as n from member_search_words
          where organization_id = $1 and word like $2`,
        [big, `${prefix}%`],
      );
      prefixes.push({ prefix, users: Number(rows[0].n) });
    }
    return {
      version: BENCH_STATE_VERSION,
      database: database.label,
      seededAt: new Date().toISOString(),
      seedSeconds,
      seedSteps,
      counts,
      bigOrganizationId: big,
      admin: { userId: admin, email: ADMIN_EMAIL },
      sampleMember: { userId: sample, email: SAMPLE_EMAIL, projectCount: sampleProjects.rowCount ?? 0 },
      sampleProjectIds: direct.rows.map((row) => row.id),
      filterTagIds: topTags.rows.map((row) => row.tag_id),
      prefixes,
      passwordOfEveryUser: PASSWORD,
    };
  });
}

async function main(): Promise<void> {
  const reset = process.argv.includes('--reset');
  const config = AppConfig.load();
  const database = await openBenchDatabase(config);
  try {
    console.log(`seed:scale into ${database.label}`);
    if (reset) {
      console.log('--reset: wiping the database');
      await wipeBenchDatabase(database);
    }
    await migrate(database.url);
    const seeded = await isSeeded(database.url);
    const state = readBenchState(config.DATA_DIR);
    if (seeded && state?.database === database.label) {
      console.log(
        `already seeded on ${state.seededAt} (${state.counts.users.toLocaleString('en-US')} users): ` +
          'nothing to do; --reset seeds again',
      );
      return;
    }
    if (seeded) {
      throw new Error(
        `the database holds a seed that ${benchStatePath(config.DATA_DIR)} does not describe: run with --reset`,
      );
    }
    const result = await seed(database, config.DATA_DIR);
    console.log(
      `seeded in ${result.seedSeconds.toFixed(1)} s: ` +
        Object.entries(result.counts)
          .map(([table, n]) => `${table} ${n.toLocaleString('en-US')}`)
          .join(', '),
    );
    console.log(
      `sample member ${result.sampleMember.email} reaches ${result.sampleMember.projectCount} projects; ` +
        `state in ${benchStatePath(config.DATA_DIR)}`,
    );
  } finally {
    await database.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
