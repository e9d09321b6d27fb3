import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { signAccessToken } from './bench-jwt';

/**
 * `npm run chaos` (after `npm run cluster:up`): a steady mixed load through HAProxy on the three API
 * instances; one instance is killed (SIGKILL), then the PostgreSQL primary (its pg_auto_failover
 * keeper and server, SIGKILL). Every acknowledged write is logged; afterwards each must be in the
 * database, the invariants must hold, and no answer may be a 5xx other than 503 with Retry-After.
 * Writes the report to docs/chaos-report.md. Bounded: CHAOS_SECONDS (default 40).
 */

const ROOT = resolve(__dirname, '..', '..');
const CLUSTER_DIR = process.env.CLUSTER_DIR ?? '/tmp/orgs-cluster';
const API = `http://127.0.0.1:${process.env.HTTP_PROXY_PORT ?? 56100}`;
const DATABASE_URL = `postgres://postgres@127.0.0.1:${process.env.PG_PROXY_PORT ?? 56430}/orgs`;
const MONITOR_URL = `postgres://autoctl_node@127.0.0.1:${process.env.MONITOR_PORT ?? 56431}/pg_auto_failover`;
const SECONDS = Number(process.env.CHAOS_SECONDS ?? 40);
const KILL_API_AT = Number(process.env.CHAOS_KILL_API_AT ?? 10);
const KILL_PRIMARY_AT = Number(process.env.CHAOS_KILL_PRIMARY_AT ?? 20);
const WORKERS = Number(process.env.CHAOS_WORKERS ?? 8);
const REQUEST_TIMEOUT_MS = 10_000;
/** One JSON line per acknowledged write, kept after `cluster:down` removes the cluster's folder. */
const ACK_LOG = process.env.CHAOS_ACK_LOG ?? join(tmpdir(), 'orgs-chaos-acknowledged-writes.jsonl');

type Kind = 'createGroup' | 'addMember' | 'addCollaborator' | 'listGroups' | 'listMembers';

interface Outcome {
  kind: Kind;
  start: number;
  end: number;
  status: number; // 0: no HTTP answer
  retryAfter: boolean;
  /** The problem details' code of a 4xx or 5xx. */
  code?: string;
  error?: string;
}

interface Ack {
  kind: Kind;
  at: number;
  groupId?: string;
  email?: string;
  projectId?: string;
}

const outcomes: Outcome[] = [];
const acks: Ack[] = [];
const events: { at: number; what: string }[] = [];
const started = Date.now();
const now = () => (Date.now() - started) / 1000;

async function withDb<T>(url: string, run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

async function call(
  kind: Kind,
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; body: { id: string } | undefined }> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    // The same key on every retry: a write the balancer or the client sends twice happens once.
    headers['idempotency-key'] = randomUUID();
  }
  for (;;) {
    const start = now();
    try {
      const response = await fetch(`${API}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await response.text();
      outcomes.push({
        kind,
        start,
        end: now(),
        status: response.status,
        retryAfter: response.headers.has('retry-after'),
        code: response.status >= 400 ? problemCode(text) : undefined,
      });
      if (response.status === 503 && now() < SECONDS) {
        // Retry-After says 1-5 s; the client retries sooner, so the window is measured finely.
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      return { status: response.status, body: text ? (JSON.parse(text) as { id: string }) : undefined };
    } catch (error) {
      outcomes.push({ kind, start, end: now(), status: 0, retryAfter: false, error: String(error) });
      if (now() >= SECONDS) return { status: 0, body: undefined };
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

function problemCode(text: string): string | undefined {
  try {
    return (JSON.parse(text) as { code?: string }).code;
  } catch {
    return undefined;
  }
}

function acknowledge(ack: Ack): void {
  acks.push(ack);
  appendFileSync(ACK_LOG, JSON.stringify(ack) + '\n');
}

async function setUp() {
  const secret = readFileSync(join(CLUSTER_DIR, 'jwt-secret'), 'utf8').trim();
  const suffix = randomUUID().slice(0, 8);
  const operatorId = await withDb(DATABASE_URL, async (db) => {
    const { rows } = await db.query<{ id: string }>(
      `insert into users (id, email, name, is_platform_admin, created_at)
       values (gen_random_uuid(), $1, 'Chaos operator', true, now()) returning id`,
      [`chaos-operator-${suffix}@example.test`],
    );
    return rows[0].id;
  });
  const operator = signAccessToken(operatorId, secret);
  const adminEmail = `chaos-admin-${suffix}@chaos-${suffix}.test`;
  const org = await call('createGroup', 'POST', '/platform/organizations', operator, {
    name: `Chaos ${suffix}`,
    domains: [`chaos-${suffix}.test`],
    adminEmails: [adminEmail],
  });
  if (org.status !== 201) throw new Error(`organization: ${org.status} ${JSON.stringify(org.body)}`);
  const adminId = await withDb(DATABASE_URL, async (db) => {
    const { rows } = await db.query<{ id: string }>(`select id from users where email = $1`, [adminEmail]);
    return rows[0].id;
  });
  const admin = signAccessToken(adminId, secret);
  const project = await call('createGroup', 'POST', '/projects', admin, { title: `Chaos project ${suffix}` });
  if (project.status !== 201) throw new Error(`project: ${project.status} ${JSON.stringify(project.body)}`);
  outcomes.length = 0;
  return { orgId: org.body!.id, projectId: project.body!.id, admin };
}

async function worker(setup: { orgId: string; projectId: string; admin: string }) {
  const { orgId, projectId, admin } = setup;
  while (now() < SECONDS) {
    const dice = Math.random();
    if (dice < 0.3) {
      const name = `chaos-${randomUUID()}`;
      const answer = await call('createGroup', 'POST', `/organizations/${orgId}/groups`, admin, { name });
      if (answer.status === 201) acknowledge({ kind: 'createGroup', at: now(), groupId: answer.body!.id });
    } else if (dice < 0.45) {
      const email = `chaos-${randomUUID()}@example.test`;
      const answer = await call('addMember', 'POST', `/organizations/${orgId}/members`, admin, {
        email,
        type: 'member',
      });
      if (answer.status === 201) acknowledge({ kind: 'addMember', at: now(), email });
    } else if (dice < 0.55) {
      const email = `chaos-${randomUUID()}@example.test`;
      const answer = await call('addCollaborator', 'POST', `/projects/${projectId}/collaborators`, admin, {
        emails: [email],
        role: 'annotator',
      });
      if (answer.status === 201) acknowledge({ kind: 'addCollaborator', at: now(), email, projectId });
    } else if (dice < 0.8) {
      await call('listGroups', 'GET', `/organizations/${orgId}/groups?limit=20`, admin);
    } else {
      await call('listMembers', 'GET', `/organizations/${orgId}/members?limit=20`, admin);
    }
  }
}

function killApiInstance() {
  const pid = Number(readFileSync(join(CLUSTER_DIR, 'run', 'api1.pid'), 'utf8'));
  process.kill(pid, 'SIGKILL');
  events.push({ at: now(), what: `API instance api1 (pid ${pid}) killed with SIGKILL` });
}

/** Every process under the primary node's pg_auto_failover supervisor, and it, SIGKILLed: a lost machine. */
async function killPrimary() {
  const node = await withDb(MONITOR_URL, async (db) => {
    const { rows } = await db.query<{ nodename: string }>(
      `select nodename from pgautofailover.node where reportedstate in ('primary', 'wait_primary', 'single')`,
    );
    return rows[0].nodename;
  });
  const supervisor = Number(readFileSync(join(CLUSTER_DIR, 'run', `${node}.pid`), 'utf8'));
  const tree = [supervisor];
  for (let i = 0; i < tree.length; i++) {
    try {
      const out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(tree[i])], { encoding: 'utf8' });
      tree.push(
        ...out
          .split('\n')
          .map((line) => Number(line.trim()))
          .filter(Boolean),
      );
    } catch {
      // no children
    }
  }
  for (const pid of tree) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  events.push({
    at: now(),
    what: `primary ${node}: pg_auto_failover keeper and PostgreSQL killed with SIGKILL`,
  });
  return node;
}

async function verify() {
  return withDb(DATABASE_URL, async (db) => {
    const groupIds = acks.filter((a) => a.kind === 'createGroup').map((a) => a.groupId!);
    const memberEmails = acks.filter((a) => a.kind === 'addMember').map((a) => a.email!);
    const collaboratorEmails = acks.filter((a) => a.kind === 'addCollaborator').map((a) => a.email!);
    const missingGroups = (
      await db.query(
        `select g from unnest($1::uuid[]) g where not exists (select 1 from groups where id = g)`,
        [groupIds],
      )
    ).rowCount;
    const missingMembers = (
      await db.query(
        `select e from unnest($1::text[]) e
          where not exists (select 1 from memberships m join users u on u.id = m.user_id where u.email = e)`,
        [memberEmails],
      )
    ).rowCount;
    const missingCollaborators = (
      await db.query(
        `select e from unnest($1::text[]) e
          where not exists (select 1 from collaborators c join users u on u.id = c.user_id where u.email = e)`,
        [collaboratorEmails],
      )
    ).rowCount;
    const orgsWithoutAdmin = Number(
      (
        await db.query(
          `select count(*) from organizations o
            where not exists (select 1 from memberships m where m.organization_id = o.id and m.type = 'admin')`,
        )
      ).rows[0].count,
    );
    const collaboratorsWithoutMembership = Number(
      (
        await db.query(
          `select count(*) from collaborators c join resources r on r.id = c.resource_id
            where not exists (select 1 from memberships m
                               where m.user_id = c.user_id and m.organization_id = r.organization_id)`,
        )
      ).rows[0].count,
    );
    const server = (await db.query(`select inet_server_port() as port`)).rows[0].port as number;
    return {
      acknowledged: {
        groups: groupIds.length,
        members: memberEmails.length,
        collaborators: collaboratorEmails.length,
      },
      missing: { groups: missingGroups, members: missingMembers, collaborators: missingCollaborators },
      orgsWithoutAdmin,
      collaboratorsWithoutMembership,
      primaryPortAfter: server,
    };
  });
}

function throughput(from: number, to: number) {
  const done = outcomes.filter((o) => o.end >= from && o.end < to && o.status >= 200 && o.status < 500);
  return Math.round(done.length / (to - from));
}

/** The longest time, between `from` and `to`, during which no request of these kinds succeeded. */
function longestGap(from: number, to: number, kinds?: Kind[]) {
  const ends = outcomes
    .filter(
      (o) =>
        o.status >= 200 &&
        o.status < 500 &&
        (!kinds || kinds.includes(o.kind)) &&
        o.end >= from &&
        o.end <= to,
    )
    .map((o) => o.end)
    .sort((a, b) => a - b);
  let gap = 0;
  let at = from;
  let previous = from;
  for (const end of ends) {
    if (end - previous > gap) {
      gap = end - previous;
      at = previous;
    }
    previous = end;
  }
  return { seconds: Math.round(gap * 100) / 100, from: Math.round(at * 100) / 100 };
}

async function main() {
  writeFileSync(ACK_LOG, '');
  const setup = await setUp();
  const at = Date.now();
  const workers = Array.from({ length: WORKERS }, () => worker(setup));
  // Faults planned past the end of the run (CHAOS_KILL_*_AT) are not injected.
  const after = (seconds: number) =>
    new Promise<void>((done) => setTimeout(done, seconds * 1000 - (Date.now() - at)));
  const apiKill = KILL_API_AT < SECONDS ? after(KILL_API_AT).then(killApiInstance) : Promise.resolve();
  const primaryKill =
    KILL_PRIMARY_AT < SECONDS ? after(KILL_PRIMARY_AT).then(killPrimary) : Promise.resolve('');
  await Promise.all(workers);
  await apiKill;
  const killedNode = await primaryKill;
  const report = buildReport(killedNode, await verify());
  const { verdict } = report;
  const ok =
    report.forbiddenAnswers === 0 &&
    Object.values(verdict.missing).every((n) => n === 0) &&
    verdict.orgsWithoutAdmin === 0 &&
    verdict.collaboratorsWithoutMembership === 0;
  writeFileSync(join(CLUSTER_DIR, 'chaos-result.json'), JSON.stringify({ ...report, ok }, null, 2));
  writeFileSync(join(ROOT, 'docs', 'chaos-report.md'), renderReport(report, ok));
  console.log(JSON.stringify({ ...report, ok }, null, 2));
  process.exit(ok ? 0 : 1);
}

function buildReport(killedNode: string, verdict: Awaited<ReturnType<typeof verify>>) {
  const byStatus: Record<string, number> = {};
  for (const o of outcomes) {
    const key = o.code ? `${o.status} ${o.code}` : String(o.status);
    byStatus[key] = (byStatus[key] ?? 0) + 1;
  }
  const forbidden = outcomes.filter(
    (o) => (o.status >= 500 && !(o.status === 503 && o.retryAfter)) || o.status === 0,
  );
  const unavailable = outcomes.filter((o) => o.status === 503);
  const writeKinds: Kind[] = ['createGroup', 'addMember', 'addCollaborator'];
  return {
    date: new Date().toISOString(),
    seconds: SECONDS,
    workers: WORKERS,
    loadAverage: loadavg().map((n) => Math.round(n * 10) / 10),
    cpus: cpus().length,
    events,
    requests: outcomes.length,
    byStatus,
    forbiddenAnswers: forbidden.length,
    forbiddenExamples: forbidden.slice(0, 5),
    unavailable503: unavailable.length,
    unavailable503BeforeFaults: unavailable.filter((o) => o.end < Math.min(KILL_API_AT, KILL_PRIMARY_AT))
      .length,
    window503: unavailable.length
      ? {
          first: Math.min(...unavailable.map((o) => o.end)),
          last: Math.max(...unavailable.map((o) => o.end)),
        }
      : null,
    afterApiKill: { longestGapAnySeconds: longestGap(KILL_API_AT, KILL_PRIMARY_AT).seconds },
    afterPrimaryKill: {
      longestGapWritesSeconds: longestGap(KILL_PRIMARY_AT, SECONDS, writeKinds),
      longestGapAnySeconds: longestGap(KILL_PRIMARY_AT, SECONDS),
    },
    throughput: {
      beforeFaults: throughput(2, KILL_API_AT),
      afterApiKill: throughput(KILL_API_AT + 1, KILL_PRIMARY_AT),
      afterFailoverLast10s: throughput(SECONDS - 10, SECONDS),
    },
    killedNode,
    verdict,
  };
}

type Report = ReturnType<typeof buildReport>;

function renderReport(r: Report, ok: boolean): string {
  const gap = r.afterPrimaryKill.longestGapWritesSeconds;
  return `# Chaos test report

Generated by \`npm run chaos\` on ${r.date} (after \`npm run cluster:up\`; see [scaling.md](scaling.md)).
Result: **${ok ? 'PASS' : 'FAIL'}**.

Setup: pg_auto_failover monitor, primary and synchronous standby (PostgreSQL 15, Debian packages),
HAProxy in front of PostgreSQL (primary check) and of three API instances (\`/health/ready\`), all
on loopback on one ${r.cpus}-core machine shared with other work (load average at the end:
${r.loadAverage.join(', ')}): absolute throughput says little, the before/after ratio more. ${r.workers} client workers ran a steady mix for
${r.seconds} s: 30 % group creations, 15 % member additions, 10 % collaborator additions (each with an
Idempotency-Key, retried with the same key after a 503 or a lost answer), 45 % list reads. Every
acknowledged write (2xx) was logged by the client (\`${ACK_LOG}\`) and looked up afterwards.

| time (s) | event |
| --- | --- |
${r.events.map((e) => `| ${e.at.toFixed(2)} | ${e.what} |`).join('\n')}

## Outcome

| check | result |
| --- | --- |
| acknowledged writes (groups / members / collaborators) | ${r.verdict.acknowledged.groups} / ${r.verdict.acknowledged.members} / ${r.verdict.acknowledged.collaborators} |
| acknowledged writes missing afterwards | ${r.verdict.missing.groups} / ${r.verdict.missing.members} / ${r.verdict.missing.collaborators} |
| organizations without an admin | ${r.verdict.orgsWithoutAdmin} |
| collaborators without a membership in the resource's organization | ${r.verdict.collaboratorsWithoutMembership} |
| answers by status | ${Object.entries(r.byStatus)
    .map(([s, n]) => `${s === '0' ? 'no answer' : s}: ${n}`)
    .join(', ')} |
| 5xx other than 503 with Retry-After, or no answer | ${r.forbiddenAnswers} |
| primary after the failover (port) | ${r.verdict.primaryPortAfter} (${r.killedNode} was killed) |

## Unavailability and throughput

| measure | value |
| --- | --- |
| unavailability window after the primary was killed (longest time without a successful write) | **${gap.seconds} s** (from t=${gap.from} s); target < 10 s |
| longest time without any successful request after the primary was killed | ${r.afterPrimaryKill.longestGapAnySeconds.seconds} s |
| 503 answers (with Retry-After) | ${r.unavailable503}${r.window503 ? `, between t=${r.window503.first.toFixed(2)} s and t=${r.window503.last.toFixed(2)} s` : ''}; ${r.unavailable503BeforeFaults} of them before any fault (the machine's load: pool or statement timeouts) |
| longest time without a successful request after the API instance was killed | ${r.afterApiKill.longestGapAnySeconds} s |
| throughput before any fault (answered requests/s, 2xx-4xx) | ${r.throughput.beforeFaults} |
| throughput with two API instances | ${r.throughput.afterApiKill} |
| throughput after the failover (last 10 s, two instances, no standby) | ${r.throughput.afterFailoverLast10s} |
`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
