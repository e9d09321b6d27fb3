import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { p95Chart } from './chart-writer';
import type { LoadResult } from './load';
import type { PolicyBenchResult } from './policy-bench';
import type { CapturedRequest, CapturedStatement } from './sql-capture-proxy';

export const TARGETS = { keysetRatio: 1.5, baselineRatio: 0.4, peakRssMb: 300, policyP99Micros: 50 };

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

export interface ScenarioResult {
  key: string;
  title: string;
  meaning: string;
  caller: string;
  examplePath: string;
  p95TargetMs: number | null;
  status: 'met' | 'missed' | 'measured' | 'not available' | 'failed';
  note?: string;
  load?: LoadResult;
  /** One connection at a time, measured for missed targets only. */
  unloaded?: LoadResult;
  /** What the server sent PostgreSQL for one request (the first path). */
  statements: CapturedStatement[];
  /** The same for each path the scenario sends. */
  requests: CapturedRequest[];
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
  load: { connections: number; warmupSeconds: number; measureSeconds: number };
  seed: {
    seededAt: string;
    seconds: number;
    counts: Record<string, number>;
    steps: { step: string; seconds: number }[];
  };
  scenarios: ScenarioResult[];
  keyset: { page: number; ratio: number | null; note?: string };
  peakRssMb: number | null;
  baseline: {
    statements: CapturedStatement[];
    memberList?: LoadResult;
    throughputRatio: number | null;
    fastifyHello: LoadResult;
    nestHello: LoadResult;
    nestToFastifyRatio: number;
  };
  policy: PolicyBenchResult[];
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
const noisy = (load: LoadResult | undefined) =>
  load?.otherProcessesShare != null && load.otherProcessesShare > 0.05
    ? `; other processes used ${(load.otherProcessesShare * 100).toFixed(0)}% of the CPUs meanwhile`
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

function scenarioTable(report: BenchReport): string[] {
  const lines = [
    '| scenario | request | target p95 | req/s | p50 ms | p95 ms | p99 ms | CPU ms/request: server, PostgreSQL | status |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const s of report.scenarios) {
    const target = s.p95TargetMs === null ? 'see keyset' : `<= ${s.p95TargetMs} ms`;
    lines.push(
      `| ${s.title} | \`GET ${s.examplePath.replace(/cursor=[^&]+/, 'cursor=...')}\` as ${s.caller} | ${target} | ` +
        `${rps(s.load)} | ${ms(s.load?.p50Ms)} | ${ms(s.load?.p95Ms)} | ${ms(s.load?.p99Ms)} | ${cpuCell(s.load)} | ${statusText(s.status, s.status === 'not available' ? undefined : s.note)} |`,
    );
  }
  return lines;
}

function targetsTable(report: BenchReport): string[] {
  const page1 = report.scenarios.find((s) => s.key === 'admin-page-1')?.load;
  const page1000 = report.scenarios.find((s) => s.key === 'admin-page-1000')?.load;
  const { baseline, keyset } = report;
  const judge = (ok: boolean | null) => (ok === null ? 'not available yet' : ok ? '**met**' : '**missed**');
  const lines = ['| target | limit | measured | status |', '|---|---|---|---|'];
  lines.push(
    `| Keyset: page ${num(keyset.page)} of the admin list vs page 1 (p50) | <= ${TARGETS.keysetRatio} x | ` +
      (keyset.ratio === null
        ? `${keyset.note ?? 'the admin list is not available'} |`
        : `${keyset.ratio.toFixed(2)} x (${ms(page1000?.p50Ms)} ms vs ${ms(page1?.p50Ms)} ms) |`) +
      ` ${judge(keyset.ratio === null ? null : keyset.ratio <= TARGETS.keysetRatio)} |`,
  );
  lines.push(
    `| Peak RSS of the server (VmHWM) | <= ${TARGETS.peakRssMb} MB | ` +
      `${report.peakRssMb === null ? 'unknown' : `${report.peakRssMb.toFixed(0)} MB`} | ` +
      `${judge(report.peakRssMb === null ? null : report.peakRssMb <= TARGETS.peakRssMb)} |`,
  );
  lines.push(
    `| Member list vs bare Fastify + pg running the same SQL (req/s) | >= ${TARGETS.baselineRatio} | ` +
      (baseline.throughputRatio === null
        ? 'the member list is not available |'
        : `${baseline.throughputRatio.toFixed(2)} (${rps(report.scenarios.find((s) => s.key === 'member-list')?.load)} vs ${rps(baseline.memberList)} req/s) |`) +
      ` ${judge(baseline.throughputRatio === null ? null : baseline.throughputRatio >= TARGETS.baselineRatio)} |`,
  );
  lines.push(
    `| NestJS hello vs bare Fastify hello (req/s): the framework's own cost | none | ` +
      `${baseline.nestToFastifyRatio.toFixed(2)} (${rps(baseline.nestHello)} vs ${rps(baseline.fastifyHello)} req/s; ` +
      `server CPU per request ${micros(baseline.nestHello)} vs ${micros(baseline.fastifyHello)})` +
      `${noisy(baseline.nestHello)}${noisy(baseline.fastifyHello)} | reported |`,
  );
  for (const p of report.policy) {
    lines.push(
      `| Policy engine, build ability + one check: ${p.case} | p99 <= ${TARGETS.policyP99Micros} µs | ` +
        `p50 ${p.p50Micros.toFixed(1)} µs, p99 ${p.p99Micros.toFixed(1)} µs (${num(p.iterations)} runs) | ` +
        `${judge(p.p99Micros <= TARGETS.policyP99Micros)} |`,
    );
  }
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
  const alone = s.unloaded;
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
      'PostgreSQL: planning each literal-inlined statement), even one request at a time.';
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
    `executes them in ${dbMs.toFixed(2)} ms (EXPLAIN ANALYZE, mean over the ${paths.length} paths the load sends; ` +
    `the values are inlined in the SQL, so every request is planned again). ${verdict} ${busyMachineText(load)}`
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
  const { keyset, baseline } = report;
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
  if (baseline.throughputRatio !== null && baseline.throughputRatio < TARGETS.baselineRatio) {
    lines.push(
      '',
      '### Throughput against the bare baseline',
      '',
      `The member list serves ${baseline.throughputRatio.toFixed(2)} of the bare Fastify + pg throughput on the same ` +
        `SQL (limit ${TARGETS.baselineRatio}): ${overBy(TARGETS.baselineRatio, baseline.throughputRatio)} short. ` +
        `The framework alone keeps ${baseline.nestToFastifyRatio.toFixed(2)} of bare Fastify on a constant route; ` +
        'the rest is the service: JWT verification, the policy guard and its scope query, validation, the ORM ' +
        'and serialization. ' +
        `Service: ${cpuText(report, report.scenarios.find((x) => x.key === 'member-list')!.load!)}` +
        `Baseline: ${baseline.memberList ? cpuText(report, baseline.memberList) : ''}The SQL is the same on both sides:`,
      ...planBlocks(missOf('baseline')?.explained ?? []),
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
  for (const [value, ok] of [
    [report.keyset.ratio, (v: number) => v <= TARGETS.keysetRatio],
    [report.peakRssMb, (v: number) => v <= TARGETS.peakRssMb],
    [report.baseline.throughputRatio, (v: number) => v >= TARGETS.baselineRatio],
  ] as const) {
    if (value === null) unavailable++;
    else judged.push(ok(value));
  }
  for (const p of report.policy) judged.push(p.p99Micros <= TARGETS.policyP99Micros);
  const met = judged.filter(Boolean).length;
  return (
    `${met} of ${judged.length} measured targets met` +
    (judged.length > met ? `, ${judged.length - met} missed` : '') +
    (unavailable ? `; ${unavailable} not measurable yet (endpoint not available)` : '') +
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
    `- Load: autocannon over loopback, ${report.load.connections} connections, ${report.load.warmupSeconds} s warm-up then ` +
      `${report.load.measureSeconds} s measured per scenario; only 2xx answers are timed, any other answer fails the scenario.`,
    `- Code: ${report.commit ?? 'unknown commit'}; the whole run took ${report.durationSeconds.toFixed(0)} s.`,
  ];
}

function markdown(report: BenchReport, chartFile: string): string {
  const date = dateOf(report);
  const unavailable = report.scenarios.filter((s) => s.status === 'not available');
  const lines = [
    `# Benchmark run of ${date}`,
    '',
    summary(report),
    '',
    ...setupLines(report),
    '',
    '## Scenarios',
    '',
    ...scenarioTable(report),
    '',
    `![p95 per scenario](${chartFile})`,
    '',
    '## Other targets',
    '',
    ...targetsTable(report),
  ];
  const misses = missesSection(report);
  if (misses.length > 0) lines.push('', '## Missed targets: by how much and why', ...misses);
  if (unavailable.length > 0) {
    lines.push('', '## Not available yet', '');
    for (const s of unavailable) lines.push(`- ${s.title} (${s.meaning}): ${s.note}.`);
  }
  lines.push('', '## What the bare baseline runs', '');
  if (report.baseline.statements.length === 0) {
    lines.push('Nothing yet: the member list is not available, so there is no SQL to replay.');
  } else {
    lines.push(
      'The statements the service sent PostgreSQL for one member-list request (captured on the wire), replayed ' +
        'in order on one connection with the same values:',
      '',
    );
    for (const s of report.baseline.statements) {
      const params = s.params.length ? [`parameters: \`${JSON.stringify(s.params)}\``] : [];
      lines.push('```sql', s.sql.trim(), '```', ...params, '');
    }
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
    ...targetsTable(report),
    '',
    `![p95 per scenario](results/${date}.svg)`,
    README_END,
  ].join('\n');
}

/** Writes results/<date>.md, .json and .svg, and the latest block of bench/README.md. */
export function writeReport(report: BenchReport, root: string): string[] {
  const date = dateOf(report);
  const benchDir = join(root, 'bench');
  const resultsDir = join(benchDir, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const svg = p95Chart(
    `p95 latency per scenario, ${date} (${report.load.connections} connections)`,
    report.scenarios.map((s) => ({
      label: s.title,
      valueMs: s.load && s.status !== 'failed' ? s.load.p95Ms : null,
      targetMs: s.p95TargetMs,
      note: s.status === 'failed' ? 'failed under load' : undefined,
    })),
  );
  const files = [
    join(resultsDir, `${date}.md`),
    join(resultsDir, `${date}.json`),
    join(resultsDir, `${date}.svg`),
  ];
  writeFileSync(files[0], markdown(report, `${date}.svg`));
  // Each path's captured statements stay out: the per-path times are in `misses`, the first path's SQL in `statements`.
  writeFileSync(
    files[1],
    JSON.stringify(report, (key, value) => (key === 'requests' ? undefined : value), 2) + '\n',
  );
  writeFileSync(files[2], svg);
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
