import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { AppConfig } from '../src/config/app-config';
import { freePort } from '../src/database/embedded-postgres';
import { BenchDatabase, openBenchDatabase, withClient } from './bench-database';
import { signAccessToken } from './bench-jwt';
import { BenchState, readBenchState } from './bench-state';
import { clusterCpuMs, machineBusyMs, processCpuMs } from './cpu-time';
import { summarizeCpuProfile } from './cpu-profile';
import {
  benchAdminJoins,
  benchApiKey,
  benchIdentityProvider,
  benchSoleAdmins,
  benchWriteInputs,
  newRunId,
} from './fixtures';
import { call, send } from './http';
import { BenchRequest, LoadOptions, LoadResult, runLoad } from './load';
import { RunningProcess, startNodeProcess } from './node-process';
import { pgStatsUnavailable, resetPgStats, topPgStatements } from './pg-stats';
import { runPolicyBenchmark } from './policy-bench';
import {
  BenchReport,
  ExplainedStatement,
  HandOverResult,
  Miss,
  ProfileResult,
  ScenarioResult,
  SweepPoint,
  TARGETS,
  WriteResult,
  writeReport,
} from './report-writer';
import {
  adminListPath,
  CallerName,
  identityScenarios,
  keysetScenarios,
  mainScenarios,
  nextCursorOf,
  Scenario,
  WriteScenario,
  writeScenarios,
} from './scenarios';
import { CapturedRequest, CapturedStatement, SqlCaptureProxy } from './sql-capture-proxy';
import { WEBHOOK_EVENT_TYPES } from '../src/modules/webhooks/webhook-event-types';

/**
 * `npm run bench`: the built server against the seeded database, driven over loopback by autocannon,
 * side by side with the ideal baseline (bare Fastify + pg, hand-written) on the same requests; writes,
 * ways in, event emission and the big hand-over; CPU profiles and pg_stat_statements; then the report
 * (bench/results/<date>.md and .json, charts, the table in bench/README.md). See bench/README.md.
 */

const ROOT = resolve(__dirname, '..', '..');
const SERVER_SCRIPT = join(ROOT, 'dist', 'src', 'main.js');
const IDEAL_SERVER = join(__dirname, 'baselines', 'ideal-server.js');
const NEST_HELLO = join(__dirname, 'baselines', 'nest-hello.js');
const PROFILE_HOOK = join(__dirname, 'profile-hook.js');
const JWT_SECRET = 'bench-only-jwt-secret-0123456789abcdef';
const CONNECTIONS = 16;
/** The concurrency sweep: where each path saturates. */
const SWEEP = [1, 4, 16, 64];
// Shorter runs for trying the harness out; the report says which were used.
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 1);
const MEASURE_SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const SWEEP_SECONDS = Number(process.env.BENCH_SWEEP_SECONDS ?? 2);
const PROFILE_SECONDS = Number(process.env.BENCH_PROFILE_SECONDS ?? 4);
/** Each read, on a server just started, before any is measured (see warmUp). */
const SERVER_WARMUP_SECONDS = Number(process.env.BENCH_SERVER_WARMUP_SECONDS ?? 1);
const KEYSET_PAGE = 1000;
/** Each write alternates without and with a subscribed webhook endpoint this many times. */
const WRITE_ROUNDS = 2;
const WRITE_SECONDS = Number(process.env.BENCH_WRITE_SECONDS ?? 4);
const HAND_OVER = { users: 3, projects: 1000 };
/** The big organization holds 100,000 projects, and the write scenarios add more (ours and the ideal's). */
const PROJECT_QUOTA = '10000000';
/**
 * BENCH_ONLY=writes: the writes alone, ours and the ideal's (no reads, ways in, hand-over or profiles), to
 * measure a change to a write path in a few minutes. Its report is partial: not one to commit.
 */
const ONLY_WRITES = process.env.BENCH_ONLY === 'writes';
/** Above this share of the CPUs used by other processes, a measurement is taken again. */
const NOISY_SHARE = 0.1;

const log = (message: string) => console.log(`[bench] ${message}`);

interface Probe {
  available: boolean;
  reason?: string;
  requests: CapturedRequest[];
}

const get = (path: string): BenchRequest => ({ method: 'GET', path });

/**
 * Node's flags in the product's own start command (`start:prod` in package.json, which `npm start`
 * runs too), so that the bench measures the server as it runs in production: its heap limit sets
 * the peak memory measured.
 */
function productNodeArgs(): string[] {
  const scripts = (
    JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  ).scripts;
  const command = /^node ((?:--\S+ )*)dist\/src\/main\.js$/.exec(scripts['start:prod'] ?? '');
  if (!command)
    throw new Error(`start:prod is not \`node [--flags] dist/src/main.js\`: ${scripts['start:prod']}`);
  return command[1].split(' ').filter(Boolean);
}

function startServer(
  databaseUrl: string,
  dataDir: string,
  port: number,
  extraEnv: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<RunningProcess> {
  return startNodeProcess({
    script: SERVER_SCRIPT,
    port,
    readyPath: '/health',
    nodeArgs: [...productNodeArgs(), ...nodeArgs],
    env: {
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      JWT_SECRET,
      WEBHOOK_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
      // No delivery worker: the bench measures what emitting events costs a write, not delivering them.
      WEBHOOK_POLL_INTERVAL_MS: '0',
      WEBHOOK_ALLOW_PRIVATE_TARGETS: '127.0.0.0/8',
      QUOTA_RESOURCES_PER_ORGANIZATION: PROJECT_QUOTA,
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      MAIL_TRANSPORT: 'log',
      ...extraEnv,
    },
  });
}

/**
 * Sends each of a scenario's paths twice (the first may open pool connections): every answer must be
 * 2xx and what the scenario asks for; on the capturing server, the statements of the second request are
 * what that path runs.
 */
async function probe(
  server: RunningProcess,
  proxy: SqlCaptureProxy | undefined,
  scenario: Scenario,
  token: string,
): Promise<Probe> {
  const requests: CapturedRequest[] = [];
  for (const path of scenario.paths) {
    await send(server.baseUrl, get(path), token);
    proxy?.take();
    const response = await send(server.baseUrl, get(path), token);
    requests.push({ path, statements: proxy?.take() ?? [] });
    if (response.status < 200 || response.status >= 300) {
      const code = (response.body as { code?: string } | undefined)?.code;
      return {
        available: false,
        reason: `${path} answers ${response.status}${code ? ` ${code}` : ''}`,
        requests,
      };
    }
    const wrong = scenario.verify(response.body, path);
    if (wrong) return { available: false, reason: `${path}: ${wrong}`, requests };
  }
  return { available: true, requests };
}

/** Follows nextCursor from page 1 to the cursor that opens page `page`. */
async function cursorOfPage(baseUrl: string, state: BenchState, token: string, page: number) {
  let cursor: string | null = null;
  for (let current = 1; current < page; current++) {
    const path = adminListPath(state) + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : '');
    const response = await send(baseUrl, get(path), token);
    if (response.status !== 200) return { reason: `page ${current} answers ${response.status}` };
    cursor = nextCursorOf(response.body);
    if (!cursor) return { reason: `the list ends at page ${current}` };
  }
  return { cursor: cursor! };
}

/** The processes whose CPU time a measurement divides by its requests. */
interface CpuWatch {
  serverPid?: number;
  postmasterPid: number | null;
}

function cpuSnapshot(watch: CpuWatch) {
  return {
    server: watch.serverPid ? processCpuMs(watch.serverPid) : null,
    postgres: watch.postmasterPid ? clusterCpuMs(watch.postmasterPid) : null,
    loadGenerator: process.cpuUsage(),
    machine: machineBusyMs(),
    at: Date.now(),
  };
}

interface Driven {
  baseUrl: string;
  nextRequest: () => BenchRequest;
  token?: string;
  watch: CpuWatch;
}

const rotating = (paths: string[]) => {
  let turn = 0;
  return () => get(paths[turn++ % paths.length]);
};

const loadOptions = (driven: Driven, connections: number): Omit<LoadOptions, 'seconds'> => ({
  baseUrl: driven.baseUrl,
  nextRequest: driven.nextRequest,
  headers: driven.token ? { authorization: `Bearer ${driven.token}` } : undefined,
  connections,
});

/** A warm-up, then a measured run (taken again when other processes took a noticeable share of the CPUs). */
async function measure(
  driven: Driven,
  connections: number,
  seconds: number,
  warmup = true,
): Promise<LoadResult> {
  const options = loadOptions(driven, connections);
  if (warmup) await runLoad({ ...options, seconds: WARMUP_SECONDS });
  const first = await measuredRun(options, seconds, driven.watch);
  // Other work on the machine (a build, another developer's tests) slows a run: one more try, the quieter kept.
  if ((first.otherProcessesShare ?? 0) <= NOISY_SHARE) return first;
  const second = await measuredRun(options, seconds, driven.watch);
  return (second.otherProcessesShare ?? 1) < (first.otherProcessesShare ?? 1) ? second : first;
}

async function measuredRun(
  options: Omit<LoadOptions, 'seconds'>,
  seconds: number,
  watch: CpuWatch,
): Promise<LoadResult> {
  const before = cpuSnapshot(watch);
  const load = await runLoad({ ...options, seconds });
  const after = cpuSnapshot(watch);
  const answered = load.ok + Object.values(load.failedByStatus).reduce((a, b) => a + b, 0);
  const perRequest = (from: number | null, to: number | null) =>
    from === null || to === null || answered === 0 ? null : (to - from) / answered;
  const generator = process.cpuUsage(before.loadGenerator);
  const generatorMs = (generator.user + generator.system) / 1000;
  load.cpuMsPerRequest = {
    server: perRequest(before.server, after.server),
    postgres: perRequest(before.postgres, after.postgres),
    loadGenerator: answered ? generatorMs / answered : 0,
  };
  const ours = [
    [before.server, after.server],
    [before.postgres, after.postgres],
  ].reduce((sum, [from, to]) => sum + (from !== null && to !== null ? to - from : 0), generatorMs);
  load.otherProcessesShare =
    before.machine === null || after.machine === null
      ? null
      : Math.max(0, (after.machine - before.machine - ours) / ((after.at - before.at) * cpus().length));
  return load;
}

/**
 * The concurrency sweep of one scenario on one server: 1, 4, 16 and 64 connections; the 16-connection
 * point is the scenario's measurement (longer, with pg_stat_statements read around it when `pgStats`).
 */
async function sweep(
  driven: Driven,
  pgStats?: { url: string; into: ScenarioResult },
): Promise<{ points: SweepPoint[]; main: LoadResult }> {
  const points: SweepPoint[] = [];
  let main: LoadResult | undefined;
  await runLoad({ ...loadOptions(driven, CONNECTIONS), seconds: WARMUP_SECONDS });
  for (const connections of SWEEP) {
    const isMain = connections === CONNECTIONS;
    if (isMain && pgStats) await resetPgStats(pgStats.url);
    const load = await measure(driven, connections, isMain ? MEASURE_SECONDS : SWEEP_SECONDS, false);
    if (isMain && pgStats) pgStats.into.pgStatements = await topPgStatements(pgStats.url);
    if (isMain) main = load;
    points.push({ connections, load });
  }
  return { points, main: main! };
}

/**
 * A server just started runs its code unoptimized: V8 compiles the hot paths after some thousands of
 * requests. Without this, the first scenario measured (the autocomplete) paid that warm-up in its
 * 1-connection point (p95 5.4 ms, 1.5 to 2.5 ms once warm), and the scenarios after it did not:
 * a server in production has long been warm. Every read is sent for a moment first, on ours and on
 * the ideal baseline alike; each scenario still has its own warm-up before its sweep.
 */
async function warmUp(baseUrl: string, scenarios: Scenario[], tokenOf: (caller: CallerName) => string) {
  for (const scenario of scenarios) {
    await runLoad({
      ...loadOptions(
        {
          baseUrl,
          nextRequest: rotating(scenario.paths),
          token: tokenOf(scenario.caller),
          watch: { postmasterPid: null },
        },
        CONNECTIONS,
      ),
      seconds: SERVER_WARMUP_SECONDS,
    });
  }
}

/** The embedded cluster's postmaster, whose CPU time the report shows; unknown for DATABASE_URL. */
function postmasterPidOf(database: BenchDatabase, dataDir: string): number | null {
  if (!database.embedded) return null;
  try {
    return Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]) || null;
  } catch {
    return null;
  }
}

const loadFailure = (load: LoadResult): string | null => {
  const statuses = Object.entries(load.failedByStatus);
  if (statuses.length > 0)
    return `non-2xx answers under load: ${statuses.map(([s, n]) => `${n} x ${s}`).join(', ')}`;
  if (load.errors > 0) return `${load.errors} connection errors or timeouts under load`;
  if (load.ok === 0) return 'no answer under load';
  return null;
};

const judged = (load: LoadResult, target: number | null): ScenarioResult['status'] => {
  if (loadFailure(load)) return 'failed';
  if (target === null) return 'measured';
  return load.p95Ms <= target ? 'met' : 'missed';
};

const isQuery = (statement: CapturedStatement) => /^\s*(\(\s*)*(select|with)\b/i.test(statement.sql);

async function explain(url: string, statements: CapturedStatement[]): Promise<ExplainedStatement[]> {
  return withClient(url, async (client) => {
    const explained: ExplainedStatement[] = [];
    for (const statement of statements.filter(isQuery)) {
      try {
        const explainSql = `explain (analyze, buffers) ${statement.sql}`;
        // Twice, the second kept: a new connection plans with cold catalog caches, as the server's pooled ones do not.
        await client.query(explainSql, statement.params);
        const { rows } = await client.query<{ 'QUERY PLAN': string }>(explainSql, statement.params);
        const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
        const timeOf = (label: string) => {
          const match = new RegExp(`${label} Time: ([\\d.]+) ms`).exec(plan);
          return match ? Number(match[1]) : null;
        };
        explained.push({
          ...statement,
          plan,
          planningMs: timeOf('Planning'),
          executionMs: timeOf('Execution'),
        });
      } catch (error) {
        const plan = `EXPLAIN failed: ${String(error)}`;
        explained.push({ ...statement, plan, planningMs: null, executionMs: null });
      }
    }
    return explained;
  });
}

/**
 * Every request of a missed target, explained: the time of each path, and the plans of the slowest
 * (a scenario that rotates its inputs is only as fast as its slow inputs).
 */
async function explainMiss(url: string, key: string, requests: CapturedRequest[]): Promise<Miss> {
  const paths: Miss['paths'] = [];
  let slowest: { explained: ExplainedStatement[]; total: number } | undefined;
  for (const request of requests) {
    const explained = await explain(url, request.statements);
    const planningMs = explained.reduce((sum, e) => sum + (e.planningMs ?? 0), 0);
    const executionMs = explained.reduce((sum, e) => sum + (e.executionMs ?? 0), 0);
    paths.push({ path: request.path, planningMs, executionMs });
    if (!slowest || planningMs + executionMs > slowest.total) {
      slowest = { explained, total: planningMs + executionMs };
    }
  }
  return { key, paths, explained: slowest?.explained ?? [] };
}

function gitCommit(): string | null {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'bench'], { cwd: ROOT })
      .toString()
      .trim();
    return dirty ? `${commit} (with uncommitted changes)` : commit;
  } catch {
    return null;
  }
}

async function waitForFile(path: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  // Written in one call, but give the write a moment to finish after the file appears.
  await new Promise((r) => setTimeout(r, 200));
}

/**
 * Runs of one mode taken in rounds, as one: throughput and CPU are the means, p50 the mean, p95 and p99
 * the worst (a round's tail is not averaged away).
 */
function combined(loads: LoadResult[]): LoadResult {
  const mean = (pick: (load: LoadResult) => number) =>
    loads.reduce((sum, l) => sum + pick(l), 0) / loads.length;
  const worst = (pick: (load: LoadResult) => number) => Math.max(...loads.map(pick));
  const failedByStatus: Record<string, number> = {};
  for (const load of loads)
    for (const [status, count] of Object.entries(load.failedByStatus))
      failedByStatus[status] = (failedByStatus[status] ?? 0) + count;
  const cpu = (pick: (c: NonNullable<LoadResult['cpuMsPerRequest']>) => number | null) => {
    const values = loads.map((l) => (l.cpuMsPerRequest ? pick(l.cpuMsPerRequest) : null));
    return values.some((v) => v === null) ? null : values.reduce((a, b) => a! + b!, 0)! / values.length;
  };
  return {
    seconds: loads.reduce((sum, l) => sum + l.seconds, 0),
    requestsPerSecond: mean((l) => l.requestsPerSecond),
    ok: loads.reduce((sum, l) => sum + l.ok, 0),
    failedByStatus,
    errors: loads.reduce((sum, l) => sum + l.errors, 0),
    p50Ms: mean((l) => l.p50Ms),
    p95Ms: worst((l) => l.p95Ms),
    p99Ms: worst((l) => l.p99Ms),
    meanMs: mean((l) => l.meanMs),
    cpuMsPerRequest: {
      server: cpu((c) => c.server),
      postgres: cpu((c) => c.postgres),
      loadGenerator: cpu((c) => c.loadGenerator) ?? 0,
    },
    otherProcessesShare: Math.max(...loads.map((l) => l.otherProcessesShare ?? 0)),
  };
}

/** A write scenario's requests, numbered across its probe and every run, so that none is sent twice. */
function writeRequests(scenario: WriteScenario) {
  let n = 0;
  return () => scenario.request(n++);
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const config = AppConfig.load();
  const state = readBenchState(config.DATA_DIR);
  if (!state) throw new Error(`no seed described under ${config.DATA_DIR}: run \`npm run seed:scale\` first`);
  const cleanups: (() => Promise<void>)[] = [];
  const cleanUp = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  process.once('SIGINT', () => void cleanUp().then(() => process.exit(130)));
  let database: BenchDatabase | undefined;
  const workDir = mkdtempSync(join(tmpdir(), 'orgs-bench-'));
  cleanups.push(async () => rmSync(workDir, { recursive: true, force: true }));
  try {
    database = await openBenchDatabase(config);
    cleanups.push(() => database!.stop());
    if (state.database !== database.label) {
      throw new Error(`the seed state describes ${state.database}, not ${database.label}: run seed:scale`);
    }
    const databaseUrl = database.url;
    const postgresVersion = await withClient(databaseUrl, async (client) => {
      const { rows } = await client.query<{ server_version: string }>('show server_version');
      return rows[0].server_version;
    });
    const runId = newRunId();
    const identityProvider = await benchIdentityProvider(workDir, state.admin.email);
    const serverEnv = { OIDC_ISSUERS: identityProvider.setting };
    const tokens: Partial<Record<CallerName, string>> = {
      admin: signAccessToken(state.admin.userId, JWT_SECRET),
      member: signAccessToken(state.sampleMember.userId, JWT_SECRET),
      adminOidc: identityProvider.token,
    };
    const tokenOf = (caller: CallerName) => tokens[caller]!;
    const dataDir = resolve(config.DATA_DIR);
    const loadAverageAtStart = loadavg()[0];
    const postmasterPid = postmasterPidOf(database, dataDir);

    log('policy engine micro-benchmark');
    const policy = runPolicyBenchmark();

    log('capturing the SQL of each scenario (a separate server behind a recording proxy)');
    const target = new URL(databaseUrl);
    const proxy = new SqlCaptureProxy(target.hostname, Number(target.port || 5432));
    const proxied = new URL(databaseUrl);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(await proxy.listen());
    cleanups.push(() => proxy.close());
    const capturing = await startServer(proxied.toString(), dataDir, await freePort(), serverEnv);
    cleanups.push(() => capturing.stop());
    tokens.adminApiKey = await benchApiKey(capturing.baseUrl, tokenOf('admin'), state, runId);
    const writeInputs = await benchWriteInputs(
      databaseUrl,
      capturing.baseUrl,
      tokenOf('admin'),
      state,
      runId,
    );
    // The admin and their service account each join the projects they open and invite to.
    for (const caller of ['admin', 'adminApiKey'] as const) {
      await benchAdminJoins(capturing.baseUrl, tokenOf(caller), state, [
        ...state.sampleProjectIds,
        ...writeInputs.invitationProjectIds,
      ]);
    }
    const reads = ONLY_WRITES ? [] : mainScenarios(state);
    const identity = ONLY_WRITES ? [] : identityScenarios(state);
    const probes = new Map<string, Probe>();
    for (const scenario of [...reads, ...identity]) {
      probes.set(scenario.key, await probe(capturing, proxy, scenario, tokenOf(scenario.caller)));
    }
    log(`walking the admin's project list to page ${KEYSET_PAGE}`);
    const walk = ONLY_WRITES
      ? { reason: 'not measured (BENCH_ONLY=writes)' }
      : await cursorOfPage(capturing.baseUrl, state, tokenOf('admin'), KEYSET_PAGE);
    const keyset = walk.cursor ? keysetScenarios(state, walk.cursor) : [];
    for (const scenario of keyset) {
      probes.set(scenario.key, await probe(capturing, proxy, scenario, tokenOf(scenario.caller)));
    }
    await capturing.stop();
    await proxy.close();

    const pgStatsReason = await pgStatsUnavailable(databaseUrl);
    const server = await startServer(databaseUrl, dataDir, await freePort(), serverEnv);
    cleanups.push(() => server.stop());
    const watch = { serverPid: server.pid, postmasterPid };

    // The ideal baseline runs from the start, idle while ours is measured, and each scenario is measured
    // on ours and then at once on it: a machine whose speed drifts over the run (a shared host does)
    // then moves both numbers of a ratio alike. Measured minutes apart, it moved them apart.
    const idealPort = await freePort();
    const ideal = await startNodeProcess({
      script: IDEAL_SERVER,
      port: idealPort,
      readyPath: '/hello',
      env: {
        IDEAL_PORT: String(idealPort),
        IDEAL_DATABASE_URL: databaseUrl,
        JWT_SECRET,
        QUOTA_RESOURCES_PER_ORGANIZATION: PROJECT_QUOTA,
      },
    });
    cleanups.push(() => ideal.stop());
    const idealWatch = { serverPid: ideal.pid, postmasterPid };
    const idealWalk = ONLY_WRITES
      ? { cursor: undefined }
      : await cursorOfPage(ideal.baseUrl, state, tokenOf('admin'), KEYSET_PAGE);
    // The ideal's own version of each read (its keyset cursor is its own), where it answers it correctly.
    const idealVersions = new Map<string, Scenario>();
    /** Why the ideal baseline does not answer a read, by scenario. */
    const idealNotes = new Map<string, string>();
    const idealKeyset = idealWalk.cursor ? keysetScenarios(state, idealWalk.cursor) : [];
    for (const scenario of [...reads, ...idealKeyset]) {
      if (!scenario.ideal) continue;
      const found = await probe(ideal, undefined, scenario, tokenOf(scenario.caller));
      if (found.available) idealVersions.set(scenario.key, scenario);
      else idealNotes.set(scenario.key, found.reason ?? 'not answered');
    }
    const results: ScenarioResult[] = [];
    const resultOf = (scenario: Scenario): ScenarioResult => ({
      key: scenario.key,
      title: scenario.title,
      meaning: scenario.meaning,
      caller: scenario.caller,
      examplePath: scenario.paths[0],
      p95TargetMs: scenario.p95TargetMs,
      status: 'not available',
      statements: probes.get(scenario.key)?.requests[0]?.statements ?? [],
      requests: probes.get(scenario.key)?.requests ?? [],
    });

    log(
      `reads: ${SWEEP.join(', ')} connections (${MEASURE_SECONDS} s at ${CONNECTIONS}, ${SWEEP_SECONDS} s at the others)`,
    );
    const measurable = (scenario: Scenario) => probes.get(scenario.key)?.available === true;
    await warmUp(server.baseUrl, [...reads, ...keyset].filter(measurable), tokenOf);
    await warmUp(ideal.baseUrl, [...idealVersions.values()], tokenOf);
    for (const scenario of [...reads, ...keyset]) {
      const result = resultOf(scenario);
      results.push(result);
      const found = probes.get(scenario.key)!;
      if (!found.available) {
        result.note = found.reason;
        log(`${scenario.key}: not available yet (${found.reason})`);
        continue;
      }
      const driven = {
        baseUrl: server.baseUrl,
        nextRequest: rotating(scenario.paths),
        token: tokenOf(scenario.caller),
        watch,
      };
      const swept = await sweep(driven, pgStatsReason ? undefined : { url: databaseUrl, into: result });
      result.sweep = swept.points;
      result.load = swept.main;
      result.status = judged(swept.main, scenario.p95TargetMs);
      result.note = loadFailure(swept.main) ?? undefined;
      log(
        `${scenario.key}: ${swept.points.map((p) => `${p.connections}c ${p.load.requestsPerSecond.toFixed(0)} req/s p95 ${p.load.p95Ms.toFixed(1)} ms`).join('; ')} (${result.status})`,
      );
      const idealVersion = idealVersions.get(scenario.key);
      result.idealNote = idealNotes.get(scenario.key);
      if (!idealVersion) continue;
      const idealSwept = await sweep({
        baseUrl: ideal.baseUrl,
        nextRequest: rotating(idealVersion.paths),
        token: tokenOf(scenario.caller),
        watch: idealWatch,
      });
      result.idealSweep = idealSwept.points;
      result.ideal = idealSwept.main;
      log(
        `${scenario.key} ideal: ${idealSwept.main.requestsPerSecond.toFixed(0)} req/s, p95 ${idealSwept.main.p95Ms.toFixed(2)} ms`,
      );
    }

    const peakRssAfterReadsMb = server.peakRssMb();
    log('ways in: the admin opens a project with our token, an API key, an RS256 token');
    const identityResults: ScenarioResult[] = [];
    for (const scenario of identity) {
      const result = resultOf(scenario);
      identityResults.push(result);
      const found = probes.get(scenario.key)!;
      if (!found.available) {
        result.note = found.reason;
        log(`${scenario.key}: not available (${found.reason})`);
        continue;
      }
      const driven = {
        baseUrl: server.baseUrl,
        nextRequest: rotating(scenario.paths),
        token: tokenOf(scenario.caller),
        watch,
      };
      result.load = await measure(driven, CONNECTIONS, MEASURE_SECONDS);
      result.status = judged(result.load, null);
      result.note = loadFailure(result.load) ?? undefined;
      log(
        `${scenario.key}: ${result.load.requestsPerSecond.toFixed(0)} req/s, p95 ${result.load.p95Ms.toFixed(2)} ms`,
      );
    }

    log('writes, without and then with a webhook endpoint subscribed to every event');
    const writes = writeScenarios(state, writeInputs);
    const writeResults: WriteResult[] = [];
    const generators = new Map(writes.map((w) => [w.key, writeRequests(w)]));
    // One endpoint subscribed to everything, switched off and on between rounds: alternating the two
    // modes (off, on, off, on) keeps a drift of the machine from passing for the events' cost.
    const endpoints = `/organizations/${state.bigOrganizationId}/webhooks`;
    const created = await send(
      server.baseUrl,
      {
        method: 'POST',
        path: endpoints,
        body: {
          url: 'http://127.0.0.1:9/bench-receiver',
          events: WEBHOOK_EVENT_TYPES,
          description: `bench ${runId}`,
        },
      },
      tokenOf('admin'),
    );
    const endpointId = (created.body as { id?: string }).id;
    if (created.status !== 201 || !endpointId) {
      log(`webhook endpoint not created (${created.status} ${JSON.stringify(created.body).slice(0, 200)})`);
    }
    const subscribe = async (on: boolean) => {
      if (!endpointId) return;
      await call(server.baseUrl, tokenOf('admin'), {
        method: 'PATCH',
        path: `${endpoints}/${endpointId}`,
        body: { disabled: !on },
      });
    };
    for (const scenario of writes) {
      const nextRequest = generators.get(scenario.key)!;
      const result: WriteResult = {
        key: scenario.key,
        title: scenario.title,
        meaning: scenario.meaning,
        p95TargetMs: scenario.p95TargetMs,
        status: 'not available',
      };
      writeResults.push(result);
      await subscribe(false);
      const first = nextRequest();
      const answer = await send(server.baseUrl, first, tokenOf(scenario.caller));
      if (answer.status < 200 || answer.status >= 300) {
        result.note = `${first.method} ${first.path} answers ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`;
        log(`${scenario.key}: not available (${result.note})`);
        continue;
      }
      result.example = `${first.method} ${first.path}`;
      const driven = { baseUrl: server.baseUrl, nextRequest, token: tokenOf(scenario.caller), watch };
      const without: LoadResult[] = [];
      const withEvents: LoadResult[] = [];
      for (let round = 0; round < WRITE_ROUNDS; round++) {
        await subscribe(false);
        without.push(await measure(driven, CONNECTIONS, WRITE_SECONDS, round === 0));
        if (!endpointId) continue;
        await subscribe(true);
        withEvents.push(await measure(driven, CONNECTIONS, WRITE_SECONDS, false));
      }
      result.load = combined(without);
      result.withWebhook = withEvents.length ? combined(withEvents) : undefined;
      result.status = judged(result.load, scenario.p95TargetMs);
      result.note = loadFailure(result.load) ?? undefined;
      log(
        `${scenario.key}: ${result.load.requestsPerSecond.toFixed(0)} req/s, p95 ${result.load.p95Ms.toFixed(2)} ms` +
          (result.withWebhook
            ? `; with the endpoint ${result.withWebhook.requestsPerSecond.toFixed(0)} req/s, p95 ${result.withWebhook.p95Ms.toFixed(2)} ms`
            : '') +
          (result.note ? ` (${result.note})` : ''),
      );
      // The ideal's run of the same write, at once, no endpoint subscribed, numbered on from ours: no
      // email or title meets one of ours.
      await subscribe(false);
      const idealFirst = nextRequest();
      const idealAnswer = await send(ideal.baseUrl, idealFirst, tokenOf(scenario.caller));
      if (idealAnswer.status < 200 || idealAnswer.status >= 300) {
        result.idealNote = `${idealFirst.method} ${idealFirst.path} answers ${idealAnswer.status}`;
        log(`${scenario.key}: the ideal baseline does not answer it (${result.idealNote})`);
        continue;
      }
      result.ideal = await measure(
        { baseUrl: ideal.baseUrl, nextRequest, token: tokenOf(scenario.caller), watch: idealWatch },
        CONNECTIONS,
        WRITE_SECONDS,
      );
      result.idealNote = loadFailure(result.ideal) ?? undefined;
      log(
        `${scenario.key} ideal: ${result.ideal.requestsPerSecond.toFixed(0)} req/s, p95 ${result.ideal.p95Ms.toFixed(2)} ms`,
      );
    }
    if (endpointId) {
      await send(server.baseUrl, { method: 'DELETE', path: `${endpoints}/${endpointId}` }, tokenOf('admin'));
    }

    log(
      `hand-over: removing ${HAND_OVER.users} members, each the sole admin of ${HAND_OVER.projects} projects`,
    );
    const soleAdmins = ONLY_WRITES
      ? []
      : await benchSoleAdmins(databaseUrl, state, runId, HAND_OVER.users, HAND_OVER.projects);
    const handOver: HandOverResult = { projects: HAND_OVER.projects, durationsMs: [], note: undefined };
    for (const userId of soleAdmins) {
      const started = process.hrtime.bigint();
      const answer = await send(
        server.baseUrl,
        {
          method: 'DELETE',
          path: `/organizations/${state.bigOrganizationId}/members/${userId}?replacementUserId=${state.admin.userId}`,
        },
        tokenOf('admin'),
      );
      const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
      if (answer.status !== 204) {
        handOver.note = `DELETE answered ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`;
        break;
      }
      handOver.durationsMs.push(elapsedMs);
    }
    log(
      `hand-over: ${handOver.durationsMs.map((d) => `${d.toFixed(0)} ms`).join(', ')}${handOver.note ? ` (${handOver.note})` : ''}`,
    );
    const peakRssMb = server.peakRssMb();
    await server.stop();

    /** GET /hello, no database: what the framework alone costs a request. */
    const measureHello = (server: RunningProcess) =>
      measure(
        {
          baseUrl: server.baseUrl,
          nextRequest: rotating(['/hello']),
          watch: { serverPid: server.pid, postmasterPid: null },
        },
        CONNECTIONS,
        MEASURE_SECONDS,
      );
    const idealHello = await measureHello(ideal);
    await ideal.stop();
    const nestPort = await freePort();
    const nest = await startNodeProcess({
      script: NEST_HELLO,
      port: nestPort,
      readyPath: '/hello',
      env: { BASELINE_PORT: String(nestPort) },
    });
    cleanups.push(() => nest.stop());
    const nestHello = await measureHello(nest);
    await nest.stop();

    log('CPU profiles of the server, one scenario at a time');
    const profiles: ProfileResult[] = [];
    const profiled: { key: string; title: string; caller: CallerName; nextRequest: () => BenchRequest }[] = [
      ...[...reads, ...identity]
        .filter((s) => probes.get(s.key)?.available)
        .map((s) => ({ key: s.key, title: s.title, caller: s.caller, nextRequest: rotating(s.paths) })),
      ...writes
        .filter((w) => !ONLY_WRITES && writeResults.find((r) => r.key === w.key)?.load)
        .map((w) => ({ key: w.key, title: w.title, caller: w.caller, nextRequest: generators.get(w.key)! })),
    ];
    for (const item of profiled) {
      const dir = mkdtempSync(join(workDir, 'profile-'));
      const profiledServer = await startServer(
        databaseUrl,
        dataDir,
        await freePort(),
        { ...serverEnv, BENCH_PROFILE_FILE: join(dir, 'load.cpuprofile') },
        ['-r', PROFILE_HOOK],
      );
      const load = loadOptions(
        {
          baseUrl: profiledServer.baseUrl,
          nextRequest: item.nextRequest,
          token: tokenOf(item.caller),
          watch,
        },
        CONNECTIONS,
      );
      await runLoad({ ...load, seconds: 1 });
      process.kill(profiledServer.pid, 'SIGUSR2');
      await runLoad({ ...load, seconds: PROFILE_SECONDS });
      process.kill(profiledServer.pid, 'SIGUSR2');
      await waitForFile(join(dir, 'load.cpuprofile'));
      await profiledServer.stop();
      try {
        profiles.push({ key: item.key, title: item.title, ...summarizeCpuProfile(dir) });
      } catch (error) {
        log(`${item.key}: no profile (${String(error)})`);
      }
    }

    log('explaining the statements of missed targets');
    const page1 = results.find((r) => r.key === 'admin-page-1');
    const page1000 = results.find((r) => r.key === 'admin-page-1000');
    const keysetRatio =
      page1?.load && page1000?.load && !loadFailure(page1.load) && !loadFailure(page1000.load)
        ? page1000.load.p50Ms / page1.load.p50Ms
        : null;
    const misses: Miss[] = [];
    for (const result of results.filter((r) => r.status === 'missed')) {
      misses.push(await explainMiss(databaseUrl, result.key, result.requests));
    }
    if (keysetRatio !== null && keysetRatio > TARGETS.keysetRatio && page1000) {
      misses.push(await explainMiss(databaseUrl, 'keyset', page1000.requests));
    }

    const report: BenchReport = {
      startedAt: startedAt.toISOString(),
      durationSeconds: (Date.now() - startedAt.getTime()) / 1000,
      commit: gitCommit(),
      machine: {
        cpu: cpus()[0]?.model ?? 'unknown',
        cores: cpus().length,
        memoryGb: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        postgres: postgresVersion,
        database: database.label,
        loadAverageAtStart,
        loadAverageAtEnd: loadavg()[0],
      },
      load: {
        connections: CONNECTIONS,
        sweep: SWEEP,
        warmupSeconds: WARMUP_SECONDS,
        serverWarmupSeconds: SERVER_WARMUP_SECONDS,
        measureSeconds: MEASURE_SECONDS,
        sweepSeconds: SWEEP_SECONDS,
      },
      seed: {
        seededAt: state.seededAt,
        seconds: state.seedSeconds,
        counts: state.counts,
        steps: state.seedSteps,
      },
      scenarios: results,
      identity: identityResults,
      writes: writeResults,
      handOver,
      keyset: { page: KEYSET_PAGE, ratio: keysetRatio, note: walk.reason },
      peakRssMb,
      peakRssAfterReadsMb,
      hello: { ideal: idealHello, nest: nestHello },
      policy,
      profiles,
      pgStatsNote: pgStatsReason,
      misses,
    };
    const written = writeReport(report, ROOT);
    log(`report: ${written.join(', ')}`);
  } finally {
    await cleanUp();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
