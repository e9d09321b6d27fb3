import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { p95Chart, sweepChart } from './chart-writer';
import type { CpuProfileSummary } from './cpu-profile';
import type { LoadResult } from './load';
import type { PgStatement } from './pg-stats';
import type { PolicyBenchResult } from './policy-bench';
import type { CapturedRequest, CapturedStatement } from './sql-capture-proxy';

export const TARGETS = {
  keysetRatio: 1.5,
  /** Ours over the ideal baseline's throughput, every read scenario. */
  idealRatio: 0.5,
  peakRssMb: 300,
  policyP99Micros: 50,
  /** Every read's p95 with one connection. */
  oneConnectionP95Ms: 3,
  /** An API key's or an RS256 token's cost over our own token's (issue 11). */
  identityCost: 1.2,
  /** What emitting webhook events may take from a write's throughput (issue 13). */
  webhookCost: 0.1,
  handOverMs: 1000,
  seedAndBenchSeconds: 600,
};

export interface ExplainedStatement extends CapturedStatement {
  plan: string;
  planningMs: number | null;
  executionMs: number | null;
}

/** A missed target: the database time of each of its requests, and the plans of the slowest. */
export interface Miss {
  key: string;
  paths: { path: string; planningMs: number; executionMs: number }[];
  explained: ExplainedStatement[];
}

export interface SweepPoint {
  connections: number;
  load: LoadResult;
}

export interface ScenarioResult {
  key: string;
  title: string;
  meaning: string;
  caller: string;
  examplePath: string;
  p95TargetMs: number | null;
  status: 'met' | 'missed' | 'measured' | 'not available' | 'failed';
  note?: string;
  /** At the bench's connection count (16). */
  load?: LoadResult;
  sweep?: SweepPoint[];
  /** The ideal baseline (bare Fastify + pg, hand-written) on the same requests. */
  ideal?: LoadResult;
  idealSweep?: SweepPoint[];
  idealNote?: string;
  /** What pg_stat_statements counted during the 16-connection run, the costliest first. */
  pgStatements?: PgStatement[];
  /** What the server sent PostgreSQL for one request (the first path). */
  statements: CapturedStatement[];
  /** The same for each path the scenario sends. */
  requests: CapturedRequest[];
}

export interface WriteResult {
  key: string;
  title: string;
  meaning: string;
  p95TargetMs: number;
  status: ScenarioResult['status'];
  note?: string;
  example?: string;
  load?: LoadResult;
  /** The same writes with a webhook endpoint subscribed to every event (no delivery worker running). */
  withWebhook?: LoadResult;
  /** The ideal baseline's same writes (no endpoint subscribed): the machine's limit for this work. */
  ideal?: LoadResult;
  idealNote?: string;
}

export interface HandOverResult {
  projects: number;
  durationsMs: number[];
  note?: string;
}

export interface ProfileResult extends CpuProfileSummary {
  key: string;
  title: string;
}

export interface BenchReport {
  startedAt: string;
  durationSeconds: number;
  commit: string | null;
  machine: {
    cpu: string;
    cores: number;
    memoryGb: number;
    node: string;
    postgres: string;
    database: string;
    /** One-minute load averages: above 0 before the run, something else was using the CPUs. */
    loadAverageAtStart: number;
    loadAverageAtEnd: number;
  };
  load: {
    connections: number;
    sweep: number[];
    warmupSeconds: number;
    /** Each read sent this long to a server just started, before any is measured. */
    serverWarmupSeconds: number;
    measureSeconds: number;
    sweepSeconds: number;
  };
  seed: {
    seededAt: string;
    seconds: number;
    counts: Record<string, number>;
    steps: { step: string; seconds: number }[];
  };
  scenarios: ScenarioResult[];
  identity: ScenarioResult[];
  writes: WriteResult[];
  handOver: HandOverResult;
  keyset: { page: number; ratio: number | null; note?: string };
  peakRssMb: number | null;
  /** The same after the reads alone, before the writes. */
  peakRssAfterReadsMb?: number | null;
  hello: { ideal: LoadResult; nest: LoadResult };
  policy: PolicyBenchResult[];
  profiles: ProfileResult[];
  /** Why pg_stat_statements was not read, when it was not. */
  pgStatsNote?: string;
  misses: Miss[];
}

const ms = (value: number | undefined) =>
  value === undefined || Number.isNaN(value) ? '-' : value.toFixed(2);
const rps = (load: LoadResult | undefined) => (load ? load.requestsPerSecond.toFixed(0) : '-');
const num = (n: number) => n.toLocaleString('en-US');
const overBy = (value: number, limit: number) =>
  `${(value - limit).toFixed(2)} over (${(((value - limit) / limit) * 100).toFixed(0)}%)`;
const statusText = (status: string, note?: string) =>
  status === 'not available'
    ? `not available yet${note ? `: ${note}` : ''}`
    : `**${status}**${note ? `: ${note}` : ''}`;

/** A note when other processes took a noticeable share of the CPUs during a measurement. */
const noisy = (load: LoadResult | undefined, during = 'meanwhile') =>
  load?.otherProcessesShare != null && load.otherProcessesShare > 0.05
    ? `; other processes used ${(load.otherProcessesShare * 100).toFixed(0)}% of the CPUs ${during}`
    : '';

const micros = (load: LoadResult) =>
  load.cpuMsPerRequest?.server == null ? 'unknown' : `${(load.cpuMsPerRequest.server * 1000).toFixed(0)} µs`;

const cpuCell = (load: LoadResult | undefined) => {
  const cpu = load?.cpuMsPerRequest;
  if (!cpu || cpu.server === null) return '-';
  return `${cpu.server.toFixed(2)}, ${cpu.postgres === null ? '?' : cpu.postgres.toFixed(2)}`;
};

export function dateOf(report: BenchReport): string {
  return report.startedAt.slice(0, 10);
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : NaN);
const x2 = (value: number) => (Number.isNaN(value) ? '-' : `${value.toFixed(2)} x`);
const percent = (share: number) => `${(share * 100).toFixed(0)}%`;

function scenarioTable(report: BenchReport): string[] {
  const lines = [
    '| scenario | request | target p95 | req/s | p50 ms | p95 ms | p99 ms | ideal req/s | ideal p50 / p95 / p99 ms | ours / ideal req/s | CPU ms/request: server, PostgreSQL (ideal) | status |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const s of report.scenarios) {
    const target = s.p95TargetMs === null ? 'see keyset' : `<= ${s.p95TargetMs} ms`;
    const ideal = s.ideal;
    lines.push(
      `| ${s.title} | \`GET ${s.examplePath.replace(/cursor=[^&]+/, 'cursor=...')}\` as ${s.caller} | ${target} | ` +
        `${rps(s.load)} | ${ms(s.load?.p50Ms)} | ${ms(s.load?.p95Ms)} | ${ms(s.load?.p99Ms)} | ` +
        `${ideal ? rps(ideal) : s.idealNote ? `not comparable: ${s.idealNote}` : '-'} | ` +
        `${ideal ? `${ms(ideal.p50Ms)} / ${ms(ideal.p95Ms)} / ${ms(ideal.p99Ms)}` : '-'} | ` +
        `${s.load && ideal ? x2(ratio(s.load.requestsPerSecond, ideal.requestsPerSecond)) : '-'} | ` +
        `${cpuCell(s.load)}${ideal ? ` (${cpuCell(ideal)})` : ''} | ` +
        `${statusText(s.status, s.status === 'not available' ? undefined : s.note)} |`,
    );
  }
  return lines;
}

function sweepTable(report: BenchReport): string[] {
  const levels = report.load.sweep;
  const lines = [
    `| scenario | ${levels.map((c) => `${c} conn.: req/s, p95 ms (ideal)`).join(' | ')} |`,
    `|---|${levels.map(() => '---').join('|')}|`,
  ];
  for (const s of report.scenarios.filter((x) => x.sweep)) {
    const cells = levels.map((c) => {
      const ours = s.sweep?.find((p) => p.connections === c)?.load;
      const ideal = s.idealSweep?.find((p) => p.connections === c)?.load;
      return `${rps(ours)}, ${ms(ours?.p95Ms)}${ideal ? ` (${rps(ideal)}, ${ms(ideal.p95Ms)})` : ''}`;
    });
    lines.push(`| ${s.title} | ${cells.join(' | ')} |`);
  }
  return lines;
}

function identityTable(report: BenchReport): string[] {
  const own = report.identity.find((s) => s.key === 'admin-get-token')?.load;
  const lines = [
    '| way in | req/s | p50 ms | p95 ms | p99 ms | CPU ms/request: server, PostgreSQL | cost vs own token (req/s) | cost vs own token (server CPU) |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const s of report.identity) {
    const load = s.load;
    const cpu = (l?: LoadResult) => l?.cpuMsPerRequest?.server ?? null;
    const cpuRatio = cpu(load) !== null && cpu(own) ? cpu(load)! / cpu(own)! : NaN;
    lines.push(
      `| ${s.title} | ${rps(load)} | ${ms(load?.p50Ms)} | ${ms(load?.p95Ms)} | ${ms(load?.p99Ms)} | ${cpuCell(load)} | ` +
        `${load && own ? x2(ratio(own.requestsPerSecond, load.requestsPerSecond)) : (s.note ?? '-')} | ${x2(cpuRatio)} |`,
    );
  }
  return lines;
}

function writeTable(report: BenchReport): string[] {
  const lines = [
    '| write | request | target p95 | req/s | p50 ms | p95 ms | p99 ms | ideal req/s | ideal p50 / p95 ms | ours / ideal req/s | CPU ms/request: server, PostgreSQL (ideal) | with a webhook endpoint: req/s, p95 ms | events cost | status |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const w of report.writes) {
    const cost =
      w.load && w.withWebhook ? 1 - ratio(w.withWebhook.requestsPerSecond, w.load.requestsPerSecond) : NaN;
    lines.push(
      `| ${w.title} | \`${w.example ?? '-'}\` | <= ${w.p95TargetMs} ms | ${rps(w.load)} | ${ms(w.load?.p50Ms)} | ` +
        `${ms(w.load?.p95Ms)} | ${ms(w.load?.p99Ms)} | ` +
        `${w.ideal ? rps(w.ideal) : w.idealNote ? `not comparable: ${w.idealNote}` : '-'} | ` +
        `${w.ideal ? `${ms(w.ideal.p50Ms)} / ${ms(w.ideal.p95Ms)}` : '-'} | ` +
        `${w.load && w.ideal ? x2(ratio(w.load.requestsPerSecond, w.ideal.requestsPerSecond)) : '-'} | ` +
        `${cpuCell(w.load)}${w.ideal ? ` (${cpuCell(w.ideal)})` : ''} | ` +
        `${w.withWebhook ? `${rps(w.withWebhook)}, ${ms(w.withWebhook.p95Ms)}` : '-'} | ` +
        `${Number.isNaN(cost) ? '-' : percent(cost)} | ${statusText(w.status, w.note)} |`,
    );
  }
  return lines;
}

interface TargetRow {
  name: string;
  limit: string;
  measured: string;
  /** null: not measurable in this run. */
  ok: boolean | null;
}

/** Every target of issues 10, 11 and 13 that is not a scenario's own p95, judged. */
function targetRows(report: BenchReport): TargetRow[] {
  const rows: TargetRow[] = [];
  const page1 = report.scenarios.find((s) => s.key === 'admin-page-1')?.load;
  const page1000 = report.scenarios.find((s) => s.key === 'admin-page-1000')?.load;
  const { keyset } = report;
  rows.push({
    name: `Keyset: page ${num(keyset.page)} of the admin list vs page 1 (p50)`,
    limit: `<= ${TARGETS.keysetRatio} x`,
    measured:
      keyset.ratio === null
        ? (keyset.note ?? 'the admin list is not available')
        : `${keyset.ratio.toFixed(2)} x (${ms(page1000?.p50Ms)} ms vs ${ms(page1?.p50Ms)} ms)`,
    ok: keyset.ratio === null ? null : keyset.ratio <= TARGETS.keysetRatio,
  });
  for (const s of report.scenarios.filter((x) => x.load)) {
    const share = s.ideal ? ratio(s.load!.requestsPerSecond, s.ideal.requestsPerSecond) : null;
    rows.push({
      name: `${s.title}: ours vs the ideal baseline (req/s)`,
      limit: `>= ${TARGETS.idealRatio}`,
      measured:
        share === null
          ? (s.idealNote ?? 'no ideal baseline')
          : `${share.toFixed(2)} (${rps(s.load)} vs ${rps(s.ideal)})`,
      ok: share === null ? null : share >= TARGETS.idealRatio,
    });
  }
  for (const s of report.scenarios.filter((x) => x.sweep)) {
    const alone = s.sweep!.find((p) => p.connections === 1)?.load;
    rows.push({
      name: `${s.title}: p95 at 1 connection`,
      limit: `<= ${TARGETS.oneConnectionP95Ms} ms`,
      measured: alone ? `${ms(alone.p95Ms)} ms` : '-',
      ok: alone ? alone.p95Ms <= TARGETS.oneConnectionP95Ms : null,
    });
  }
  const own = report.identity.find((s) => s.key === 'admin-get-token')?.load;
  for (const s of report.identity.filter((x) => x.key !== 'admin-get-token')) {
    const cost = s.load && own ? ratio(own.requestsPerSecond, s.load.requestsPerSecond) : null;
    rows.push({
      name: `${s.title}: cost vs our own token (req/s of ours / req/s of it)`,
      limit: `<= ${TARGETS.identityCost} x`,
      measured:
        cost === null
          ? (s.note ?? 'not measured')
          : `${cost.toFixed(2)} x (${rps(s.load)} vs ${rps(own)} req/s)`,
      ok: cost === null ? null : cost <= TARGETS.identityCost,
    });
  }
  for (const w of report.writes) {
    rows.push({
      name: `${w.title}: p95 at ${report.load.connections} connections`,
      limit: `<= ${w.p95TargetMs} ms`,
      measured: w.load ? `${ms(w.load.p95Ms)} ms` : (w.note ?? 'not measured'),
      ok: w.load ? w.status === 'met' : null,
    });
    const cost =
      w.load && w.withWebhook ? 1 - ratio(w.withWebhook.requestsPerSecond, w.load.requestsPerSecond) : null;
    rows.push({
      name: `${w.title}: throughput lost to emitting webhook events`,
      limit: `<= ${percent(TARGETS.webhookCost)}`,
      measured:
        cost === null ? 'not measured' : `${percent(cost)} (${rps(w.withWebhook)} vs ${rps(w.load)} req/s)`,
      ok: cost === null ? null : cost <= TARGETS.webhookCost,
    });
  }
  const slowest = report.handOver.durationsMs.length ? Math.max(...report.handOver.durationsMs) : null;
  rows.push({
    name: `Remove a sole admin of ${num(report.handOver.projects)} projects, handing them over`,
    limit: `<= ${TARGETS.handOverMs} ms`,
    measured:
      slowest === null
        ? (report.handOver.note ?? 'not measured')
        : `${report.handOver.durationsMs.map((d) => `${d.toFixed(0)} ms`).join(', ')} (slowest ${slowest.toFixed(0)} ms)`,
    ok: slowest === null ? null : slowest <= TARGETS.handOverMs,
  });
  rows.push({
    name: 'Peak RSS of the server (VmHWM)',
    limit: `<= ${TARGETS.peakRssMb} MB`,
    measured:
      report.peakRssMb === null
        ? 'unknown'
        : `${report.peakRssMb.toFixed(0)} MB` +
          (report.peakRssAfterReadsMb
            ? ` (${report.peakRssAfterReadsMb.toFixed(0)} MB after the reads, before the writes)`
            : ''),
    ok: report.peakRssMb === null ? null : report.peakRssMb <= TARGETS.peakRssMb,
  });
  for (const p of report.policy) {
    rows.push({
      name: `Policy engine, build ability + one check: ${p.case}`,
      limit: `p99 <= ${TARGETS.policyP99Micros} µs`,
      measured: `p50 ${p.p50Micros.toFixed(1)} µs, p99 ${p.p99Micros.toFixed(1)} µs (${num(p.iterations)} runs)`,
      ok: p.p99Micros <= TARGETS.policyP99Micros,
    });
  }
  const total = report.seed.seconds + report.durationSeconds;
  rows.push({
    name: 'Seed + bench',
    limit: `<= ${TARGETS.seedAndBenchSeconds / 60} min`,
    measured: `${(total / 60).toFixed(1)} min (seed ${report.seed.seconds.toFixed(0)} s, bench ${report.durationSeconds.toFixed(0)} s; npm ci and builds not included)`,
    ok: total <= TARGETS.seedAndBenchSeconds,
  });
  return rows;
}

function targetsTable(report: BenchReport): string[] {
  const judge = (ok: boolean | null) => (ok === null ? 'not measurable' : ok ? '**met**' : '**missed**');
  const lines = ['| target | limit | measured | status |', '|---|---|---|---|'];
  for (const row of targetRows(report))
    lines.push(`| ${row.name} | ${row.limit} | ${row.measured} | ${judge(row.ok)} |`);
  const { ideal, nest } = report.hello;
  lines.push(
    `| NestJS hello vs bare Fastify hello (req/s): the framework's own cost | none | ` +
      `${x2(ratio(nest.requestsPerSecond, ideal.requestsPerSecond))} (${rps(nest)} vs ${rps(ideal)} req/s; ` +
      `server CPU per request ${micros(nest)} vs ${micros(ideal)})${noisy(nest, "during NestJS's")}${noisy(ideal, "during Fastify's")} | reported |`,
  );
  return lines;
}

/** Where each scenario's time goes: the server's CPU by part and function, and PostgreSQL's statements. */
function whereTimeGoes(report: BenchReport): string[] {
  const lines: string[] = [];
  lines.push(
    '',
    "Each profile is of a separate server process, driven with the scenario's requests at " +
      `${report.load.connections} connections: V8's profiler runs for the load only, after a warm-up (bench/profile-hook.ts); ` +
      'shares are of the sampled busy time (idle excluded). `src:<folder>` is our code, `pkg:<name>` a dependency, ' +
      '`native` time in V8/libuv outside JavaScript (I/O, syscalls), `gc` garbage collection.',
  );
  for (const p of report.profiles) {
    lines.push(
      '',
      `### ${p.title}`,
      '',
      `Server CPU by part: ${p.parts
        .slice(0, 8)
        .map((x) => `${x.part} ${percent(x.share)}`)
        .join(', ')}.`,
      '',
      '| function (self time) | part | share |',
      '|---|---|---|',
      ...p.functions
        .slice(0, 8)
        .map((f) => `| \`${f.name.replace(/\|/g, '\\|')}\` | ${f.part} | ${percent(f.share)} |`),
    );
    const scenario = [...report.scenarios, ...report.identity].find((s) => s.key === p.key);
    if (scenario?.pgStatements?.length) {
      lines.push(
        '',
        `PostgreSQL (pg_stat_statements over the ${report.load.connections}-connection run):`,
        '',
        '| statement | calls | mean ms | rows/call | buffers/call |',
        '|---|---|---|---|---|',
        ...scenario.pgStatements.map(
          (st) =>
            `| \`${st.query.slice(0, 160).replace(/\|/g, '\\|')}${st.query.length > 160 ? '...' : ''}\` | ${num(st.calls)} | ` +
            `${st.meanExecMs.toFixed(3)} | ${st.rowsPerCall.toFixed(1)} | ${st.buffersPerCall.toFixed(0)} |`,
        ),
      );
    }
  }
  if (report.pgStatsNote) lines.push('', `pg_stat_statements: not read (${report.pgStatsNote}).`);
  return lines;
}

const cpuTotal = (load: LoadResult) => {
  const cpu = load.cpuMsPerRequest;
  return !cpu || cpu.server === null ? null : cpu.server + (cpu.postgres ?? 0) + cpu.loadGenerator;
};

/**
 * What a latency target means with every connection always busy: a mean of `target` ms needs
 * connections / target requests a second (Little's law), hence a CPU budget per request.
 */
function budgetText(report: BenchReport, load: LoadResult, targetMs: number): string {
  const { connections } = report.load;
  const neededRps = (connections / targetMs) * 1000;
  const budgetMs = (report.machine.cores * 1000) / neededRps;
  const used = cpuTotal(load);
  return (
    `With ${connections} requests always in flight, even a mean latency of ${targetMs} ms needs ` +
    `${neededRps.toFixed(0)} req/s, i.e. at most ${budgetMs.toFixed(2)} ms of CPU per request for the server, ` +
    `PostgreSQL and the load generator together on ${report.machine.cores} cores` +
    (used === null ? '. ' : `; this request takes ${used.toFixed(2)} ms. `)
  );
}

/** Where a request's CPU goes, and the throughput and latency floor that follow on this machine. */
function cpuText(report: BenchReport, load: LoadResult): string {
  const cpu = load.cpuMsPerRequest;
  const total = cpuTotal(load);
  if (!cpu || cpu.server === null || total === null) return '';
  const capacity = (report.machine.cores * 1000) / total;
  const floor = (report.load.connections / capacity) * 1000;
  return (
    `Per request the server process used ${cpu.server.toFixed(2)} ms of CPU, PostgreSQL ` +
    `${cpu.postgres === null ? 'an unknown amount' : `${cpu.postgres.toFixed(2)} ms`} and the load generator ` +
    `${cpu.loadGenerator.toFixed(2)} ms: ${report.machine.cores} cores serve at most ${capacity.toFixed(0)} such ` +
    `requests a second, so with ${report.load.connections} in flight each waits ${floor.toFixed(1)} ms on average at best. `
  );
}

function busyMachineText(load: LoadResult): string {
  const share = load.otherProcessesShare;
  return share != null && share > 0.05
    ? `Other processes used ${(share * 100).toFixed(0)}% of the machine's CPUs during this measurement, ` +
        'which slowed it. '
    : '';
}

/** The mean share of the CPUs that other processes took during the measurements. */
function othersShare(report: BenchReport): number | null {
  const shares = report.scenarios
    .map((s) => s.load?.otherProcessesShare)
    .filter((share): share is number => typeof share === 'number');
  return shares.length ? shares.reduce((a, b) => a + b, 0) / shares.length : null;
}

function whyLatency(report: BenchReport, s: ScenarioResult, miss: Miss | undefined): string {
  const load = s.load!;
  const inSystemMs = (report.load.connections / load.requestsPerSecond) * 1000;
  // The load sends every path in turn: their mean is what a request costs PostgreSQL on average.
  const paths = miss?.paths ?? [];
  const mean = (pick: (p: Miss['paths'][number]) => number) =>
    paths.length ? paths.reduce((sum, p) => sum + pick(p), 0) / paths.length : 0;
  const dbMs = mean((p) => p.executionMs);
  const planningMs = mean((p) => p.planningMs);
  const target = s.p95TargetMs!;
  const alone = s.sweep?.find((p) => p.connections === 1)?.load;
  let verdict: string;
  if (dbMs + planningMs >= target / 2) {
    verdict =
      'The SQL itself (planning and execution) takes a large part of the budget: the plans below show where.';
  } else if (alone && alone.p95Ms <= target) {
    verdict =
      'One request at a time meets the target: under load the p95 is queueing for the CPU cores that the ' +
      'server, PostgreSQL and the load generator share: the scenario is throughput-bound, not query-bound.';
  } else {
    verdict =
      "Most of a request's time is spent outside PostgreSQL's execution (Node: framework, guards, ORM, JSON; " +
      'PostgreSQL: parsing and planning), even one request at a time: the profile below shows where.';
  }
  return (
    `p95 ${ms(load.p95Ms)} ms against ${target} ms: ${overBy(load.p95Ms, target)}. ` +
    `At ${report.load.connections} connections the server answered ${rps(load)} req/s, so a request spent on average ` +
    `${inSystemMs.toFixed(2)} ms in the system (Little's law: connections / throughput). ` +
    cpuText(report, load) +
    budgetText(report, load, target) +
    (alone
      ? `Alone (1 connection) the same requests take p50 ${ms(alone.p50Ms)} ms, p95 ${ms(alone.p95Ms)} ms. `
      : '') +
    `PostgreSQL plans a request's ${miss?.explained.length ?? 0} statements in ${planningMs.toFixed(2)} ms and ` +
    `executes them in ${dbMs.toFixed(2)} ms (EXPLAIN ANALYZE, mean over the ${paths.length} paths the load sends). ` +
    `${verdict} ${busyMachineText(load)}`
  ).trim();
}

/**
 * A write's miss: its p95 and throughput by Little's law, its CPU per request, and the ideal's same
 * writes next to it, so that what the machine allows and what our server adds are told apart.
 */
function whyWriteLatency(report: BenchReport, w: WriteResult): string {
  const load = w.load!;
  const inSystemMs = (report.load.connections / load.requestsPerSecond) * 1000;
  const ideal = w.ideal;
  let idealText = '';
  if (ideal) {
    const ours = load.cpuMsPerRequest;
    const theirs = ideal.cpuMsPerRequest;
    const serverGap =
      ours?.server != null && theirs?.server != null
        ? ` Per request our server uses ${ms(ours.server)} ms of CPU against the ideal's ${ms(theirs.server)} ms, ` +
          `PostgreSQL ${ms(ours.postgres ?? NaN)} ms against ${ms(theirs.postgres ?? NaN)} ms: the difference is ` +
          `the server's own work, spread as its profile under "Where the time goes" shows.`
        : '';
    idealText =
      `The ideal baseline's same writes (one statement each) answered ${rps(ideal)} req/s at p95 ${ms(ideal.p95Ms)} ms, ` +
      `${ideal.p95Ms <= w.p95TargetMs ? 'within' : 'also over'} the target: ` +
      `${ideal.p95Ms <= w.p95TargetMs ? 'the machine allows it' : 'the machine itself does not reach it at this load'}.` +
      serverGap +
      ' ';
  }
  return (
    `p95 ${ms(load.p95Ms)} ms against ${w.p95TargetMs} ms: ${overBy(load.p95Ms, w.p95TargetMs)}. ` +
    `At ${report.load.connections} connections the server answered ${rps(load)} req/s, so a request spent on average ` +
    `${inSystemMs.toFixed(2)} ms in the system (Little's law: connections / throughput). ` +
    cpuText(report, load) +
    budgetText(report, load, w.p95TargetMs) +
    idealText +
    busyMachineText(load)
  ).trim();
}

/** Each path's database time, when a scenario sends several; the plans below are the slowest's. */
function pathTable(miss: Miss | undefined): string[] {
  if (!miss || miss.paths.length < 2) return [];
  const lines = ['', '| path | planning ms | execution ms |', '|---|---|---|'];
  for (const p of miss.paths) {
    lines.push(`| \`${p.path}\` | ${p.planningMs.toFixed(2)} | ${p.executionMs.toFixed(2)} |`);
  }
  lines.push('', 'The plans of the slowest path:');
  return lines;
}

const timing = (e: ExplainedStatement) =>
  e.executionMs === null
    ? ''
    : ` (planned in ${(e.planningMs ?? 0).toFixed(3)} ms, executed in ${e.executionMs.toFixed(3)} ms)`;

function planBlocks(explained: ExplainedStatement[]): string[] {
  const lines: string[] = [];
  explained.forEach((e, i) => {
    lines.push(
      '',
      `Statement ${i + 1}${timing(e)}${e.params.length ? `, parameters \`${JSON.stringify(e.params)}\`` : ''}:`,
      '',
      '```sql',
      e.sql.trim(),
      '```',
      '',
      '```text',
      e.plan,
      '```',
    );
  });
  return lines;
}

function missesSection(report: BenchReport): string[] {
  const lines: string[] = [];
  const missOf = (key: string) => report.misses.find((m) => m.key === key);
  for (const s of report.scenarios.filter((x) => x.status === 'missed')) {
    lines.push(
      '',
      `### ${s.title}`,
      '',
      whyLatency(report, s, missOf(s.key)),
      ...pathTable(missOf(s.key)),
      ...planBlocks(missOf(s.key)?.explained ?? []),
    );
  }
  for (const w of report.writes.filter((x) => x.status === 'missed' && x.load)) {
    lines.push('', `### ${w.title}`, '', whyWriteLatency(report, w));
  }
  const { keyset } = report;
  if (keyset.ratio !== null && keyset.ratio > TARGETS.keysetRatio) {
    lines.push(
      '',
      `### Keyset page ${num(keyset.page)}`,
      '',
      `Page ${num(keyset.page)} takes ${keyset.ratio.toFixed(2)} x the time of page 1 (limit ${TARGETS.keysetRatio} x): ` +
        `${overBy(keyset.ratio, TARGETS.keysetRatio)}. A keyset page should cost the same at any depth; ` +
        'a growing cost means the plan does not seek the index to the cursor. The plan of page ' +
        `${num(keyset.page)}:`,
      ...planBlocks(missOf('keyset')?.explained ?? []),
    );
  }
  if (report.peakRssMb !== null && report.peakRssMb > TARGETS.peakRssMb) {
    lines.push(
      '',
      '### Peak RSS',
      '',
      `The server peaked at ${report.peakRssMb.toFixed(0)} MB (limit ${TARGETS.peakRssMb} MB): ` +
        `${overBy(report.peakRssMb, TARGETS.peakRssMb)}.`,
    );
  }
  for (const p of report.policy.filter((x) => x.p99Micros > TARGETS.policyP99Micros)) {
    lines.push(
      '',
      `### Policy engine: ${p.case}`,
      '',
      `p99 ${p.p99Micros.toFixed(1)} µs (limit ${TARGETS.policyP99Micros} µs): ${overBy(p.p99Micros, TARGETS.policyP99Micros)}; ` +
        `p50 ${p.p50Micros.toFixed(1)} µs, max ${p.maxMicros.toFixed(0)} µs (garbage collection pauses are in the tail).`,
    );
  }
  return lines;
}

function summary(report: BenchReport): string {
  const judged: boolean[] = [];
  let unavailable = 0;
  for (const s of report.scenarios.filter((x) => x.p95TargetMs !== null)) {
    if (s.status === 'met') judged.push(true);
    else if (s.status === 'missed' || s.status === 'failed') judged.push(false);
    else unavailable++;
  }
  for (const row of targetRows(report)) {
    if (row.ok === null) unavailable++;
    else judged.push(row.ok);
  }
  const met = judged.filter(Boolean).length;
  return (
    `${met} of ${judged.length} measured targets met` +
    (judged.length > met ? `, ${judged.length - met} missed` : '') +
    (unavailable ? `; ${unavailable} not measurable in this run` : '') +
    '.'
  );
}

function setupLines(report: BenchReport): string[] {
  const m = report.machine;
  const others = othersShare(report);
  const c = report.seed.counts;
  return [
    `- Machine: ${m.cores} x ${m.cpu}, ${m.memoryGb} GB; Node ${m.node}; PostgreSQL ${m.postgres} (${m.database}); ` +
      (others === null
        ? 'the CPU share of other processes is unknown.'
        : `other processes used ${(others * 100).toFixed(0)}% of the CPUs during the measurements` +
          (others > 0.05 ? ' (numbers are pessimistic).' : '.')),
    `- Data: ${num(c.users)} users in ${num(c.organizations)} organizations (${num(c.memberships)} memberships, ` +
      `${num(c.member_search_words)} search words), ${num(c.resources)} projects, ${num(c.tags)} tags ` +
      `(${num(c.project_tags)} project tags), ${num(c.collaborators)} collaborators; seeded in ${report.seed.seconds.toFixed(0)} s.`,
    `- Load: autocannon over loopback; each server first gets every read for ${report.load.serverWarmupSeconds} s (its code compiled by V8), ` +
      `then per scenario ${report.load.warmupSeconds} s warm-up, then ${report.load.measureSeconds} s measured at ` +
      `${report.load.connections} connections and ${report.load.sweepSeconds} s at each other point of the sweep ` +
      `(${report.load.sweep.join(', ')}); only 2xx answers are timed, any other answer fails the scenario.`,
    `- Code: ${report.commit ?? 'unknown commit'}; the whole run took ${report.durationSeconds.toFixed(0)} s.`,
  ];
}

function markdown(report: BenchReport, charts: { p95: string; sweep: string }): string {
  const date = dateOf(report);
  const unavailable = report.scenarios.filter((s) => s.status === 'not available');
  const lines = [
    `# Benchmark run of ${date}`,
    '',
    summary(report),
    '',
    ...setupLines(report),
    '',
    '## Reads, ours and the ideal baseline',
    '',
    'The ideal baseline (`bench/baselines/ideal-server.ts`) is bare Fastify and `pg` doing the same work by hand: ' +
      'it verifies the same HS256 token, checks the caller and their rights in SQL, and answers the same JSON, with ' +
      'named prepared statements and one round trip. It answers the same requests, checked the same way.',
    '',
    ...scenarioTable(report),
    '',
    `![p95 per scenario](${charts.p95})`,
    '',
    '## Concurrency sweep',
    '',
    ...sweepTable(report),
    '',
    `![latency against throughput](${charts.sweep})`,
    '',
    '## Ways in: own token, API key, identity provider',
    '',
    ...identityTable(report),
    '',
    '## Writes, and what webhook events cost them',
    '',
    'Each write is new (a new email, a project not yet tagged); the second column is the same writes with a ' +
      'webhook endpoint subscribed to every event type, so that each write also fills the outbox (the delivery ' +
      'worker does not run in the measured server: what is measured is emitting, not delivering). The ideal ' +
      'columns are the ideal baseline doing the same writes (the same rows, the same answer, one statement each, ' +
      "no endpoint subscribed), measured once, right after ours: the machine's limit for this work, next to the target.",
    '',
    ...writeTable(report),
    '',
    '## Targets',
    '',
    ...targetsTable(report),
    '',
    '## Where the time goes',
    ...whereTimeGoes(report),
  ];
  const misses = missesSection(report);
  if (misses.length > 0) lines.push('', '## Missed latency targets: by how much and why', ...misses);
  if (unavailable.length > 0) {
    lines.push('', '## Not available yet', '');
    for (const s of unavailable) lines.push(`- ${s.title} (${s.meaning}): ${s.note}.`);
  }
  lines.push('', '## Seed steps', '', '| step | seconds |', '|---|---|');
  for (const step of report.seed.steps) lines.push(`| ${step.step} | ${step.seconds.toFixed(1)} |`);
  return lines.join('\n') + '\n';
}

const README_START = '<!-- bench:latest:start -->';
const README_END = '<!-- bench:latest:end -->';

/** The latest-run block of bench/README.md, with links relative to bench/. */
function readmeBlock(report: BenchReport): string {
  const date = dateOf(report);
  return [
    README_START,
    `Latest run: [${date}](results/${date}.md). ${summary(report)}`,
    '',
    ...setupLines(report),
    '',
    ...scenarioTable(report),
    '',
    `![latency against throughput](results/${date}-sweep.svg)`,
    '',
    ...identityTable(report),
    '',
    ...writeTable(report),
    '',
    ...targetsTable(report),
    README_END,
  ].join('\n');
}

/** Writes results/<date>.md, .json, .svg and -sweep.svg, and the latest block of bench/README.md. */
export function writeReport(report: BenchReport, root: string): string[] {
  const date = dateOf(report);
  const benchDir = join(root, 'bench');
  const resultsDir = join(benchDir, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const bars = [...report.scenarios, ...report.identity].map((s) => ({
    label: s.title,
    valueMs: s.load && s.status !== 'failed' ? s.load.p95Ms : null,
    targetMs: s.p95TargetMs,
    note: s.status === 'failed' ? 'failed under load' : undefined,
  }));
  for (const w of report.writes) {
    bars.push({
      label: w.title,
      valueMs: w.load ? w.load.p95Ms : null,
      targetMs: w.p95TargetMs,
      note: w.note,
    });
  }
  const svg = p95Chart(`p95 latency per scenario, ${date} (${report.load.connections} connections)`, bars);
  const sweep = sweepChart(
    `Latency against throughput, ${date}: ${report.load.sweep.join(', ')} connections`,
    report.scenarios
      .filter((s) => s.sweep)
      .map((s) => ({
        title: s.title,
        targetMs: s.p95TargetMs,
        series: [
          { label: 'ours', color: '#d9534f', sweep: s.sweep },
          { label: 'ideal', color: '#3f7fbf', dashed: true, sweep: s.idealSweep },
        ]
          .filter((x) => x.sweep)
          .map((x) => ({
            label: x.label,
            color: x.color,
            dashed: x.dashed,
            points: x.sweep!.map((p) => ({
              connections: p.connections,
              requestsPerSecond: p.load.requestsPerSecond,
              p95Ms: p.load.p95Ms,
            })),
          })),
      })),
  );
  const files = [
    join(resultsDir, `${date}.md`),
    join(resultsDir, `${date}.json`),
    join(resultsDir, `${date}.svg`),
    join(resultsDir, `${date}-sweep.svg`),
  ];
  writeFileSync(files[0], markdown(report, { p95: `${date}.svg`, sweep: `${date}-sweep.svg` }));
  // Each path's captured statements stay out: the per-path times are in `misses`, the first path's SQL in `statements`.
  writeFileSync(
    files[1],
    JSON.stringify(report, (key, value) => (key === 'requests' ? undefined : value), 2) + '\n',
  );
  writeFileSync(files[2], svg);
  writeFileSync(files[3], sweep);
  const readme = join(benchDir, 'README.md');
  if (existsSync(readme)) {
    const text = readFileSync(readme, 'utf8');
    const start = text.indexOf(README_START);
    const end = text.indexOf(README_END);
    if (start >= 0 && end > start) {
      writeFileSync(readme, text.slice(0, start) + readmeBlock(report) + text.slice(end + README_END.length));
      files.push(readme);
    }
  }
  return files;
}
