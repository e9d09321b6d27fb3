import { createHmac, timingSafeEqual } from 'node:crypto';
import Fastify, { FastifyReply, FastifyRequest } from 'fastify';
import { Pool, QueryConfig } from 'pg';

/**
 * The ideal baseline: what the bench's read scenarios cost when written by hand on bare Fastify and
 * `pg`, with no framework, doing the service's whole work: the HS256 access token verified, the
 * caller confirmed in the database (credential version, session), the same authorization rules
 * (the same 401, 403 and 404), and the same JSON. Each request is one named prepared statement
 * that confirms the caller, checks the rules and builds the answer's JSON in PostgreSQL; the server
 * passes that text through. The service is measured against it: ours / ideal.
 *
 * It mirrors, for the routes it serves, session-token.authenticator.ts (only our own access
 * tokens), scope-loader.ts and the rules (platform, organizations, membership, resources), and the
 * SQL of resources.repository.ts, project-tag-sql.ts and membership.repository.ts. Query validation
 * answers the same statuses but shorter problem details.
 *
 * Environment: IDEAL_PORT, IDEAL_DATABASE_URL, JWT_SECRET, DB_POOL_MAX (10 as the service's).
 */

const ISSUER = 'orgs-access-service';
const AUDIENCE = 'orgs-access-api';
const INVALID_CREDENTIAL = 'Missing, invalid or expired access token';
const BEARER = /^Bearer ([\x21-\x7e]{1,4096})$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);

/** Strongest first, as vocabulary.ts's PROJECT_ROLES: a caller's role on a project is the first they hold. */
const PROJECT_ROLE_ORDER = `array['admin', 'team_manager', 'annotator_reviewer', 'reviewer', 'annotator']`;

interface Claims {
  userId: string;
  version: number;
  sessionId: string | null;
}

/** The token's claims when it is one of our access tokens, valid now; undefined for anything else. */
function verifyAccessToken(authorization: string | undefined, secret: Buffer): Claims | undefined {
  const token = BEARER.exec(authorization ?? '')?.[1];
  if (!token) return undefined;
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [header, payload, signature] = parts;
  let alg: unknown;
  let claims: Record<string, unknown>;
  try {
    alg = (JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: unknown } | null)?.alg;
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  // Pinned: a token signed with any other algorithm (or `none`) is refused.
  if (alg !== 'HS256' || typeof claims !== 'object' || claims === null) return undefined;
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  if (claims.iss !== ISSUER) return undefined;
  const audiences: unknown[] = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(AUDIENCE)) return undefined;
  // As jsonwebtoken: exp and nbf are checked when present, and must then be numbers.
  const now = Math.floor(Date.now() / 1000);
  if (claims.exp !== undefined && (typeof claims.exp !== 'number' || now >= claims.exp)) return undefined;
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > now)) return undefined;
  if (!isUuid(claims.sub) || !Number.isSafeInteger(claims.ver)) return undefined;
  if (claims.sid !== undefined && !isUuid(claims.sid)) return undefined;
  return { userId: claims.sub, version: claims.ver as number, sessionId: (claims.sid as string) ?? null };
}

/**
 * The caller ($1 user, $2 credential version, $3 session or null), as the session-token
 * authenticator's two statements in one: a token of a session ends with it.
 */
const CALLER_SQL = `caller as (
  select u.id, u.is_platform_admin from users u
   where u.id = $1::uuid and u.credential_version = $2::int
     and ($3::uuid is null or exists (select 1 from refresh_token_families f
                                       where f.id = $3::uuid and f.user_id = u.id and f.revoked_at is null)))`;

/** The caller's type in organization $4, their membership in force (scope-loader's forOrganization). */
const ORGANIZATION_SCOPE_SQL = `${CALLER_SQL},
scope as (
  select me.id as user_id, me.is_platform_admin, o.id as organization_id, m.type
    from caller me
    left join organizations o on o.id = $4::uuid
    left join memberships m on m.organization_id = o.id and m.user_id = me.id
                           and (m.expires_at is null or m.expires_at > now()))`;

/** No expired membership of the grant's user in the grant's organization (the grant is void then). */
const membershipNotExpired = (organizationId: string, userId: string) =>
  `not exists (select 1 from memberships xm
                where xm.organization_id = ${organizationId} and xm.user_id = ${userId} and xm.expires_at <= now())`;

/** The user's strongest role on the project, directly or through a group, grants in force. */
const roleSql = (resourceId: string, userId: string) =>
  `(select x.role from (
      select c.role from collaborators c
       where c.resource_id = ${resourceId} and c.user_id = ${userId}
         and (c.expires_at is null or c.expires_at > now()) and ${membershipNotExpired('c.organization_id', 'c.user_id')}
      union all
      select rg.role from resource_groups rg join group_members gm on gm.group_id = rg.group_id
       where rg.resource_id = ${resourceId} and gm.user_id = ${userId}
         and ${membershipNotExpired('gm.organization_id', 'gm.user_id')}) x
    order by array_position(${PROJECT_ROLE_ORDER}, x.role) limit 1)`;

/** ISO-8601 in UTC at milliseconds, truncated, as the service's `new Date(..).toISOString()` prints it. */
const isoSql = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
/** At microseconds: the keyset's time (a cursor at milliseconds would repeat or skip rows). */
const preciseSql = (column: string) =>
  `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * GET /projects/:id ($4). The rules (resources.rules.ts, platform.rules.ts): a role, or platform
 * admin, reads it; an organization admin without a role discovers it (403 JOIN_REQUIRED); anyone
 * else gets 404. The project's columns come only when it may be read. Serialized by the route's
 * response schema: measured faster here than PostgreSQL's json_build_object passed through.
 */
const PROJECT_STATEMENT = {
  name: 'ideal-project',
  text: `with ${CALLER_SQL},
scope as (
  select me.id as user_id, me.is_platform_admin, r.id as resource_id, m.type, ${roleSql('r.id', 'me.id')} as role
    from caller me
    left join resources r on r.id = $4::uuid and r.kind = 'project'
    left join memberships m on m.organization_id = r.organization_id and m.user_id = me.id
                           and (m.expires_at is null or m.expires_at > now()))
select s.resource_id is not null as found, s.is_platform_admin, s.type, s.role,
       r.id, r.title, r.description, r.organization_id, r.owner_id,
       ${isoSql('r.created_at')} as created_at, ${isoSql('r.updated_at')} as updated_at, r.ontology_id,
       array(select pd.dataset_id from project_datasets pd where pd.project_id = r.id
              order by pd.created_at, pd.dataset_id) as dataset_ids,
       array(select array[t.id::text, t.name] from project_tags pt join tags t on t.id = pt.tag_id
              where pt.project_id = r.id order by lower(t.name), t.id) as tags
  from scope s
  left join resources r on r.id = s.resource_id and (s.role is not null or s.is_platform_admin)`,
};

interface ProjectRow {
  found: boolean;
  is_platform_admin: boolean;
  type: string | null;
  role: string | null;
  /** The project's columns: null unless the caller may read it. */
  id: string | null;
  title: string;
  description: string;
  organization_id: string | null;
  owner_id: string;
  created_at: string;
  updated_at: string;
  ontology_id: string | null;
  dataset_ids: string[];
  tags: [string, string][];
}

const nullableString = { type: ['string', 'null'] };
const PROJECT_RESPONSE = {
  200: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      title: { type: 'string' },
      description: { type: 'string' },
      organizationId: nullableString,
      ownerId: { type: 'string' },
      myRole: nullableString,
      createdAt: { type: 'string' },
      updatedAt: { type: 'string' },
      ontologyId: nullableString,
      datasetIds: { type: 'array', items: { type: 'string' } },
      tags: {
        type: 'array',
        items: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' } } },
      },
    },
  },
};

interface ScopeRow {
  is_platform_admin: boolean;
  organization_id: string | null;
  type: string | null;
}

/** A page: the items' JSON text and the sort key of the last item when there are more. */
interface PageRow extends ScopeRow {
  items: string | null;
  next_key: [string, string] | null;
}

/**
 * One list's order, written once: the sort key's columns (and their types), the direction, and
 * the select list's names for them in the page. Changing a list's order is changing its key here;
 * the statement's ORDER BY, the keyset condition and the cursor all follow from it.
 */
interface SortKey {
  /** `precise` prints the column's value exactly, for the cursor. */
  columns: { sql: string; cast: 'timestamptz' | 'uuid'; precise: (column: string) => string }[];
  direction: 'asc' | 'desc';
}

const orderBy = (key: SortKey, alias?: string) =>
  key.columns.map((c, i) => `${alias ? `${alias}.k${i}` : c.sql} ${key.direction}`).join(', ');
const keyColumns = (key: SortKey) => key.columns.map((c, i) => `${c.sql} as k${i}`).join(', ');
const keyAliases = (key: SortKey, alias: string) => key.columns.map((_, i) => `${alias}.k${i}`).join(', ');
const preciseKey = (key: SortKey, alias: string) =>
  `array[${key.columns.map((c, i) => c.precise(`${alias}.k${i}`)).join(', ')}]`;
/** `(key) < (cursor)` (or `>`), the cursor's values being parameters $first.. */
const afterCursor = (key: SortKey, first: number) =>
  `(${key.columns.map((c) => c.sql).join(', ')}) ${key.direction === 'desc' ? '<' : '>'} (${key.columns
    .map((c, i) => `$${first + i}::${c.cast}`)
    .join(', ')})`;

/** Projects newest first, as resources.repository.ts's pageSummaries. */
const PROJECTS_ORDER: SortKey = {
  columns: [
    { sql: 'r.created_at', cast: 'timestamptz', precise: preciseSql },
    { sql: 'r.id', cast: 'uuid', precise: (column) => `${column}::text` },
  ],
  direction: 'desc',
};

/**
 * Members by the time they joined, as membership.repository.ts's memberListSql (its CURRENT order).
 * For "name starts with the text first" put that rank first here, e.g.
 * `{ sql: '(not exists (...name word...))::int', cast: 'int', precise: (c) => `${c}::text` }`
 * (and 'int' among the casts and in decodeCursor).
 */
const MEMBERS_ORDER: SortKey = {
  columns: [
    { sql: 'm.created_at', cast: 'timestamptz', precise: preciseSql },
    { sql: 'm.user_id', cast: 'uuid', precise: (column) => `${column}::text` },
  ],
  direction: 'asc',
};

/**
 * The page and its key, from a `page` CTE of at most limit + 1 rows ($5) carrying `item` (json)
 * and the key columns k0..kn: the items of the first `limit`, and the key of the last of them when
 * there is one more.
 */
const pageSelect = (key: SortKey) => `select s.is_platform_admin, s.organization_id, s.type,
       (select json_agg(p.item order by ${orderBy(key, 'p')})::text
          from (select * from page order by ${orderBy(key, 'page')} limit $5::int - 1) p) as items,
       case when (select count(*) from page) = $5::int
            then (select ${preciseKey(key, 'p')} from page p order by ${orderBy(key, 'p')} offset $5::int - 2 limit 1)
       end as next_key
  from scope s`;

/**
 * GET /organizations/:orgId/projects. Who lists what (organizations.rules.ts): platform admins and
 * organization admins every project of the organization, members those they hold a role on;
 * workforce and external 403, others 404. Each branch is gated by a one-time filter on the scope,
 * so only one of them runs. Parameters: $4 organization, $5 limit + 1, then the cursor's key, then
 * the tags (all of them), as the variant has them.
 */
function projectListStatement(withCursor: boolean, tagCount: number): QueryConfig {
  let next = 6;
  const conditions = [`r.organization_id = $4::uuid`, `r.kind = 'project'`];
  if (withCursor) {
    conditions.push(afterCursor(PROJECTS_ORDER, next));
    next += PROJECTS_ORDER.columns.length;
  }
  for (let i = 0; i < tagCount; i += 1) {
    conditions.push(
      `exists (select 1 from project_tags pt where pt.project_id = r.id and pt.tag_id = $${next}::uuid)`,
    );
    next += 1;
  }
  const where = conditions.join('\n     and ');
  const columns = `r.id, r.title, r.description, r.organization_id, r.owner_id, r.created_at, ${keyColumns(PROJECTS_ORDER)}`;
  return {
    name: `ideal-projects-${withCursor ? 'after' : 'first'}-${tagCount}`,
    text: `with ${ORGANIZATION_SCOPE_SQL},
rows as (
  (select ${columns} from resources r
    where (select s.is_platform_admin or s.type = 'admin' from scope s)
      and ${where}
    order by ${orderBy(PROJECTS_ORDER)} limit $5::int)
  union all
  (select ${columns} from resources r
    where (select not s.is_platform_admin and s.type = 'member' from scope s)
      and r.id in (select c.resource_id from collaborators c
                    where c.user_id = $1::uuid and (c.expires_at is null or c.expires_at > now())
                      and ${membershipNotExpired('c.organization_id', 'c.user_id')}
                   union
                   select rg.resource_id from resource_groups rg join group_members gm on gm.group_id = rg.group_id
                    where gm.user_id = $1::uuid and ${membershipNotExpired('gm.organization_id', 'gm.user_id')})
      and ${where}
    order by ${orderBy(PROJECTS_ORDER)} limit $5::int)),
page_tags as (
  select pt.project_id,
         json_agg(json_build_object('id', t.id, 'name', t.name) order by lower(t.name), t.id) as tags
    from project_tags pt join tags t on t.id = pt.tag_id
   where pt.project_id in (select id from rows)
   group by pt.project_id),
page as (
  select json_build_object(
           'id', r.id, 'title', r.title, 'description', r.description,
           'organizationId', r.organization_id, 'ownerId', r.owner_id,
           'myRole', ${roleSql('r.id', '$1::uuid')},
           'createdAt', ${isoSql('r.created_at')}, 'tags', coalesce(t.tags, '[]'::json)) as item,
         ${keyAliases(PROJECTS_ORDER, 'r')}
    from rows r left join page_tags t on t.project_id = r.id)
${pageSelect(PROJECTS_ORDER)}`,
  };
}

/** Users of a word, from which walking the members in order and probing each beats reading them all. */
const DENSE_WORD_ROWS = 1000;

/**
 * GET /organizations/:orgId/members, the autocomplete: internal users (and platform admins) read
 * the organization's users, workforce and external 403, others 404. Each word must begin a word
 * of the user (member_search_words, a prefix range written with text_pattern_ops' operators).
 * Parameters: $4 organization, $5 limit + 1, the cursor's key, each word, the end of the first word's range.
 */
function memberListStatement(withCursor: boolean, wordCount: number): QueryConfig {
  let next = 6;
  const conditions = [`m.organization_id = $4::uuid`];
  if (withCursor) {
    conditions.push(afterCursor(MEMBERS_ORDER, next));
    next += MEMBERS_ORDER.columns.length;
  }
  // Each word as a prefix ($next + i); the first (the longest) also as its range's end, the one
  // word read through member_search_words_prefix_idx.
  const prefixes = Array.from({ length: wordCount }, (_, i) => `$${next + i}::text`);
  const firstWordRange = `w.word ~>=~ ${prefixes[0]} and w.word ~<~ $${next + wordCount}::text`;
  // A scalar subquery, not EXISTS: the planner cannot turn it into a join, so the walk stays in the
  // list's order. starts_with is the range's test without its index: a probe reads the member's own
  // few words (member_search_words_user_idx), not every word of the range.
  const probes = prefixes.map(
    (from) => `(select true from member_search_words w
                   where w.user_id = m.user_id and w.organization_id = $4::uuid and starts_with(w.word, ${from}) limit 1)`,
  );
  const allowed = `(select s.is_platform_admin or s.type in ('admin', 'member') from scope s)`;
  const columns = `m.user_id, m.type, m.created_at, m.expires_at, ${keyColumns(MEMBERS_ORDER)}`;
  const walk = (gate: string) => `(select ${columns} from memberships m
    where ${allowed} ${gate}
      and ${[...conditions, ...probes].join('\n      and ')}
    order by ${orderBy(MEMBERS_ORDER)} limit $5::int)`;
  // Two plans, chosen at run time by a one-time filter, since a generic plan cannot know how common
  // the first (longest) word is: a common one (DENSE_WORD_ROWS users or more) walks the members in
  // order and probes each, reading O(limit / density); a rare one reads its users and sorts them.
  const rows =
    wordCount === 0
      ? walk('')
      : `${walk('and (select dense from density)')}
  union all
  (select ${columns} from memberships m
    where ${allowed} and not (select dense from density)
      and m.user_id in (select w.user_id from member_search_words w
                         where w.organization_id = $4::uuid and ${firstWordRange})
      and ${[...conditions, ...probes.slice(1)].join('\n      and ')}
    order by ${orderBy(MEMBERS_ORDER)} limit $5::int)`;
  const density =
    wordCount === 0
      ? ''
      : `density as (
  select count(*) >= ${DENSE_WORD_ROWS} as dense
    from (select 1 from member_search_words w
           where w.organization_id = $4::uuid and ${firstWordRange} limit ${DENSE_WORD_ROWS}) x),
`;
  return {
    name: `ideal-members-${withCursor ? 'after' : 'first'}-${wordCount}`,
    text: `with ${ORGANIZATION_SCOPE_SQL},
${density}rows as (
  ${rows}),
page as (
  select json_build_object(
           'userId', m.user_id, 'email', u.email, 'name', u.name, 'type', m.type,
           'status', case when u.password_hash is null and u.email_verified_at is null
                               and u.service_account_organization_id is null then 'invited' else 'active' end,
           'isServiceAccount', u.service_account_organization_id is not null,
           'joinedAt', ${isoSql('m.created_at')},
           'expiresAt', case when m.expires_at is null then null else ${isoSql('m.expires_at')} end) as item,
         ${keyAliases(MEMBERS_ORDER, 'm')}
    from rows m join users u on u.id = m.user_id)
${pageSelect(MEMBERS_ORDER)}`,
  };
}

/** The caller and their type in the organization, alone: for a request refused before its query. */
const ORGANIZATION_SCOPE_STATEMENT = {
  name: 'ideal-organization-scope',
  text: `with ${ORGANIZATION_SCOPE_SQL} select s.is_platform_admin, s.organization_id, s.type from scope s`,
};

/** A word as the autocomplete indexes it: the prefix range in text_pattern_ops' byte order. */
function prefixRange(prefix: string): [string, string] {
  const characters = [...prefix];
  const last = characters.pop()!.codePointAt(0)!;
  const next = last === 0xd7ff ? 0xe000 : last + 1;
  return [prefix, characters.join('') + String.fromCodePoint(next)];
}

const MAX_SEARCH_WORDS = 8;

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
};

class Problem {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly errors?: { path: string; message: string }[],
  ) {}
}

const notFound = (what: string) => new Problem(404, 'NOT_FOUND', `${what} not found`);
const forbidden = () => new Problem(403, 'FORBIDDEN', 'You are not allowed to do this');
const unauthenticated = () => new Problem(401, 'UNAUTHENTICATED', INVALID_CREDENTIAL);
/** One invalid query parameter, in class-validator's words as the service answers it. */
const invalid = (path: string, message: string) =>
  new Problem(400, 'VALIDATION_FAILED', `${path}: ${message}`, [{ path, message }]);
const invalidCursor = () =>
  new Problem(400, 'VALIDATION_FAILED', 'Invalid cursor', [
    { path: 'cursor', message: 'cursor is not valid' },
  ]);

function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: Problem): FastifyReply {
  if (problem.status === 401) {
    void reply.header(
      'WWW-Authenticate',
      typeof request.headers.authorization === 'string'
        ? 'Bearer realm="api", error="invalid_token"'
        : 'Bearer realm="api"',
    );
  }
  return reply
    .status(problem.status)
    .header('Content-Type', 'application/problem+json')
    .send(
      JSON.stringify({
        type: 'about:blank',
        title: TITLES[problem.status],
        status: problem.status,
        detail: problem.detail,
        code: problem.code,
        ...(problem.errors ? { errors: problem.errors } : {}),
        instance: request.url,
      }),
    );
}

const PRECISE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
/** A time as preciseSql prints it, and a real one (no 30 February: PostgreSQL would answer an error). */
const isPreciseTime = (value: unknown): value is string =>
  typeof value === 'string' &&
  PRECISE_TIME.test(value) &&
  !Number.isNaN(Date.parse(value)) &&
  new Date(value).toISOString().slice(0, 19) === value.slice(0, 19);

/** A keyset cursor: the sort key of the page's last row, base64url JSON, as the service's. */
const encodeCursor = (key: readonly string[]) => Buffer.from(JSON.stringify(key)).toString('base64url');

function decodeCursor(cursor: string | undefined, key: SortKey): string[] | undefined {
  if (cursor === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  const valid =
    Array.isArray(parsed) &&
    parsed.length === key.columns.length &&
    parsed.every((value, i) => (key.columns[i].cast === 'uuid' ? isUuid(value) : isPreciseTime(value)));
  if (!valid) throw invalidCursor();
  return parsed as string[];
}

function limitOf(value: string | undefined): number {
  if (value === undefined) return 50;
  const limit = Number(value);
  // Every failed constraint, in the order class-validator reports them.
  const messages = [
    ...(limit <= 200 ? [] : ['limit must not be greater than 200']),
    ...(limit >= 1 ? [] : ['limit must not be less than 1']),
    ...(Number.isInteger(limit) ? [] : ['limit must be an integer number']),
  ];
  if (messages.length > 0) {
    const errors = messages.map((message) => ({ path: 'limit', message }));
    throw new Problem(
      400,
      'VALIDATION_FAILED',
      errors.map((e) => `${e.path}: ${e.message}`).join('; '),
      errors,
    );
  }
  return limit;
}

/** The scope's verdict for a list of the organization: 404 when it may not be known, 403 when not listed. */
function organizationVerdict(
  row: ScopeRow | undefined,
  mayList: (row: ScopeRow) => boolean,
): Problem | undefined {
  if (!row) return unauthenticated();
  if (!row.organization_id || (!row.type && !row.is_platform_admin)) return notFound('Organization');
  return mayList(row) ? undefined : forbidden();
}

const listsProjects = (row: ScopeRow) =>
  row.is_platform_admin || row.type === 'admin' || row.type === 'member';
const readsMembers = listsProjects;

async function main(): Promise<void> {
  const secret = Buffer.from(process.env.JWT_SECRET ?? '', 'utf8');
  if (secret.length === 0) throw new Error('JWT_SECRET is required');
  const pool = new Pool({
    connectionString: process.env.IDEAL_DATABASE_URL,
    max: Number(process.env.DB_POOL_MAX ?? 10),
    // Generic plans, always: every statement is written for one (the branch a caller does not take
    // is cut by a one-time filter on the scope), and the custom plans PostgreSQL would otherwise keep
    // choosing for these long statements cost 2 to 3 ms of planning each request. JIT off: a generic
    // plan's estimate, the branch not taken included, passes jit_above_cost, and compiling costs
    // about a second per execution.
    options: '-c plan_cache_mode=force_generic_plan -c jit=off',
  });
  const app = Fastify({ logger: false });

  const query = async <Row>(config: QueryConfig): Promise<Row | undefined> =>
    (await pool.query<Row & Record<string, unknown>>(config)).rows[0];

  const claimsParams = (claims: Claims) => [claims.userId, claims.version, claims.sessionId];

  /** A page's answer, the items' JSON passed through as PostgreSQL wrote it. */
  const sendPage = (reply: FastifyReply, row: PageRow) => {
    const cursor = row.next_key ? JSON.stringify(encodeCursor(row.next_key)) : 'null';
    return reply
      .header('Content-Type', 'application/json; charset=utf-8')
      .send(`{"items":${row.items ?? '[]'},"nextCursor":${cursor}}`);
  };

  app.get('/hello', async () => ({ hello: 'world' }));

  app.get<{ Params: { id: string } }>(
    '/projects/:id',
    { schema: { response: PROJECT_RESPONSE } },
    async (request, reply) => {
      const claims = verifyAccessToken(request.headers.authorization, secret);
      if (!claims) return sendProblem(request, reply, unauthenticated());
      // Not a uuid: no project can have it; the caller is still confirmed first.
      const id = isUuid(request.params.id) ? request.params.id : null;
      const row = await query<ProjectRow>({ ...PROJECT_STATEMENT, values: [...claimsParams(claims), id] });
      if (!row) return sendProblem(request, reply, unauthenticated());
      if (row.id !== null) {
        return {
          id: row.id,
          title: row.title,
          description: row.description,
          organizationId: row.organization_id,
          ownerId: row.owner_id,
          myRole: row.role,
          createdAt: row.created_at,
          updatedAt: row.updated_at,
          ontologyId: row.ontology_id,
          datasetIds: row.dataset_ids,
          tags: row.tags.map(([tagId, name]) => ({ id: tagId, name })),
        };
      }
      if (row.found && row.type === 'admin') {
        return sendProblem(
          request,
          reply,
          new Problem(
            403,
            'JOIN_REQUIRED',
            'Join this resource as its admin before opening it (POST .../join)',
          ),
        );
      }
      return sendProblem(request, reply, notFound('Project'));
    },
  );

  const refusedBeforeQuery = async (
    request: FastifyRequest,
    reply: FastifyReply,
    claims: Claims,
    organizationId: string | null,
    mayList: (row: ScopeRow) => boolean,
    problem: Problem,
  ) => {
    // The service checks the caller and the rules before the query's parameters: the same order here.
    const row = await query<ScopeRow>({
      ...ORGANIZATION_SCOPE_STATEMENT,
      values: [...claimsParams(claims), organizationId],
    });
    return sendProblem(request, reply, organizationVerdict(row, mayList) ?? problem);
  };

  app.get<{ Params: { orgId: string }; Querystring: Record<string, string | undefined> }>(
    '/organizations/:orgId/projects',
    async (request, reply) => {
      const claims = verifyAccessToken(request.headers.authorization, secret);
      if (!claims) return sendProblem(request, reply, unauthenticated());
      const organizationId = isUuid(request.params.orgId) ? request.params.orgId : null;
      let limit: number;
      let after: string[] | undefined;
      let tags: string[];
      try {
        limit = limitOf(request.query.limit);
        after = decodeCursor(request.query.cursor, PROJECTS_ORDER);
        tags = [
          ...new Set(
            (request.query.tags ?? '')
              .split(',')
              .map((tag) => tag.trim().toLowerCase())
              .filter(Boolean),
          ),
        ];
        if (tags.length > 50) throw invalid('tags', 'tags must contain no more than 50 elements');
        if (!tags.every(isUuid)) throw invalid('tags', 'each value in tags must be a UUID');
      } catch (error) {
        if (error instanceof Problem) {
          return refusedBeforeQuery(request, reply, claims, organizationId, listsProjects, error);
        }
        throw error;
      }
      const row = await query<PageRow>({
        ...projectListStatement(after !== undefined, tags.length),
        values: [...claimsParams(claims), organizationId, limit + 1, ...(after ?? []), ...tags],
      });
      const problem = organizationVerdict(row, listsProjects);
      if (problem) return sendProblem(request, reply, problem);
      return sendPage(reply, row!);
    },
  );

  app.get<{ Params: { orgId: string }; Querystring: Record<string, string | undefined> }>(
    '/organizations/:orgId/members',
    async (request, reply) => {
      const claims = verifyAccessToken(request.headers.authorization, secret);
      if (!claims) return sendProblem(request, reply, unauthenticated());
      const organizationId = isUuid(request.params.orgId) ? request.params.orgId : null;
      let limit: number;
      let after: string[] | undefined;
      const q = request.query.q;
      try {
        limit = limitOf(request.query.limit);
        after = decodeCursor(request.query.cursor, MEMBERS_ORDER);
        if (q !== undefined && q.length > 100)
          throw invalid('q', 'q must be shorter than or equal to 100 characters');
      } catch (error) {
        if (error instanceof Problem) {
          return refusedBeforeQuery(request, reply, claims, organizationId, readsMembers, error);
        }
        throw error;
      }
      let words: string[] = [];
      if (q && /^[\x20-\x7e]*$/.test(q)) {
        words = [
          ...new Set(
            q
              .toLowerCase()
              .split(/[^a-z0-9]+/)
              .filter(Boolean),
          ),
        ]
          .sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0))
          .slice(0, MAX_SEARCH_WORDS);
      } else if (q) {
        // Beyond ASCII, the database's own splitting (unaccent), as the service does: a second round trip.
        const result = await pool.query<{ word: string }>({
          name: 'ideal-search-words',
          text: `select word from member_search_words_of($1::text, '') as w(word) order by length(word) desc, word limit $2`,
          values: [q, MAX_SEARCH_WORDS],
        });
        words = result.rows.map((r) => r.word);
      }
      const row = await query<PageRow>({
        ...memberListStatement(after !== undefined, words.length),
        values: [
          ...claimsParams(claims),
          organizationId,
          limit + 1,
          ...(after ?? []),
          ...words,
          ...(words.length > 0 ? [prefixRange(words[0])[1]] : []),
        ],
      });
      const problem = organizationVerdict(row, readsMembers);
      if (problem) return sendProblem(request, reply, problem);
      return sendPage(reply, row!);
    },
  );

  const close = async () => {
    await app.close();
    await pool.end();
    process.exit(0);
  };
  process.once('SIGTERM', () => void close());
  process.once('SIGINT', () => void close());
  await app.listen({ port: Number(process.env.IDEAL_PORT), host: '127.0.0.1' });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
