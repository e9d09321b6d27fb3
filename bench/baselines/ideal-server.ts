import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import Fastify, { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Pool, QueryConfig } from 'pg';

/**
 * The ideal baseline: what the bench's read and write scenarios cost when written by hand on bare Fastify and
 * `pg`, with no framework, doing the service's whole work: the HS256 access token verified, the
 * caller confirmed in the database (credential version, session), the same authorization rules
 * (the same 401, 403 and 404), and the same JSON. Each request is one named prepared statement
 * that confirms the caller, checks the rules and builds the answer's JSON in PostgreSQL; the server
 * passes that text through (a write also writes its rows in it: see ADD_MEMBER_STATEMENT and the
 * three after it). The service is measured against it: ours / ideal.
 *
 * It mirrors, for the routes it serves, session-token.authenticator.ts (only our own access
 * tokens), scope-loader.ts and the rules (platform, organizations, membership, resources), and the
 * SQL of resources.repository.ts, project-tag-sql.ts and membership.repository.ts. Query validation
 * answers the same statuses but shorter problem details.
 *
 * Environment: IDEAL_PORT, IDEAL_DATABASE_URL, JWT_SECRET, DB_POOL_MAX (10 as the service's),
 * QUOTA_RESOURCES_PER_ORGANIZATION (as the service's, for projects).
 */

const ISSUER = 'orgs-access-service';
const AUDIENCE = 'orgs-access-api';
const INVALID_CREDENTIAL = 'Missing, invalid or expired access token';
const BEARER = /^Bearer ([\x21-\x7e]{1,4096})$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);
// eslint-disable-next-line no-control-regex -- finding NUL is the point
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Text PostgreSQL stores as sent (no NUL, no unpaired surrogate), as storable-text.ts. */
const isStorableText = (value: string): boolean => !UNSTORABLE.test(value);

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
  /**
   * `precise` prints the column's value exactly, for the cursor; `valid` tells a cursor's element
   * that may reach SQL; `ordering` replaces the direction (e.g. `using ~<~`, text_pattern_ops' order).
   */
  columns: {
    sql: string;
    cast: 'timestamptz' | 'uuid' | 'int' | 'text';
    precise: (column: string) => string;
    valid: (value: unknown) => boolean;
    ordering?: string;
  }[];
  direction: 'asc' | 'desc';
}

const orderBy = (key: SortKey, alias?: string) =>
  key.columns.map((c, i) => `${alias ? `${alias}.k${i}` : c.sql} ${c.ordering ?? key.direction}`).join(', ');
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
    { sql: 'r.created_at', cast: 'timestamptz', precise: preciseSql, valid: (value) => isPreciseTime(value) },
    { sql: 'r.id', cast: 'uuid', precise: (column) => `${column}::text`, valid: isUuid },
  ],
  direction: 'desc',
};

/** Members by the time they joined, as membership.repository.ts's memberListSql (no search). */
const MEMBERS_ORDER: SortKey = {
  columns: [
    { sql: 'm.created_at', cast: 'timestamptz', precise: preciseSql, valid: (value) => isPreciseTime(value) },
    { sql: 'm.user_id', cast: 'uuid', precise: (column) => `${column}::text`, valid: isUuid },
  ],
  direction: 'asc',
};

/**
 * Found members, as membership.repository.ts's memberSearchSql: by rank (0 name starts with the
 * text, 1 the name's first word with the lead word, 2 another word does), the member_search_words
 * entry in text_pattern_ops' byte order, then user id.
 */
const FOUND_MEMBERS_ORDER: SortKey = {
  columns: [
    {
      sql: 'f.rank',
      cast: 'int',
      precise: (column) => `${column}::text`,
      valid: (v) => v === '0' || v === '1' || v === '2',
    },
    {
      sql: 'f.entry',
      cast: 'text',
      precise: (column) => column,
      valid: (v) => typeof v === 'string' && isStorableText(v),
      ordering: 'using ~<~',
    },
    { sql: 'f.user_id', cast: 'uuid', precise: (column) => `${column}::text`, valid: isUuid },
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
 * The most projects with the wanted tags that are read and sorted for a page; with more, walking the
 * list in order and testing each row reads fewer (limit / share of matches, 2,550 rows at this many
 * for 51 rows out of 100,000 projects, about the crossing point).
 */
const TAG_MATCHES_SORTED = 2000;

/**
 * GET /organizations/:orgId/projects. Who lists what (organizations.rules.ts): platform admins and
 * organization admins every project of the organization, members those they hold a role on;
 * workforce and external 403, others 404. Each branch is gated by a one-time filter on the scope,
 * so only one of them runs. Parameters: $4 organization, $5 limit + 1, then the cursor's key, then
 * the tags (an array, all of them), as the variant has them.
 */
function projectListStatement(withCursor: boolean, withTags: boolean): QueryConfig {
  let next = 6;
  const conditions = [`r.organization_id = $4::uuid`, `r.kind = 'project'`];
  if (withCursor) {
    conditions.push(afterCursor(PROJECTS_ORDER, next));
    next += PROJECTS_ORDER.columns.length;
  }
  const untagged = conditions.join('\n     and ');
  // The project's own copy of its tag ids and its GIN index, as project-tag-sql.ts.
  const tags = `$${next}::uuid[]`;
  if (withTags) conditions.push(`r.tag_ids @> ${tags}`);
  const where = conditions.join('\n     and ');
  const columns = `r.id, r.title, r.description, r.organization_id, r.owner_id, r.created_at, ${keyColumns(PROJECTS_ORDER)}`;
  const listsAll = `(select s.is_platform_admin or s.type = 'admin' from scope s)`;
  // Every project of the organization: the keyset index in the list's order, stopping at the page.
  // With tags, a generic plan cannot know how many projects have them, so the choice is made at run
  // time: the matches from the GIN index, at most TAG_MATCHES_SORTED of them; when fewer, the page
  // is their sort; otherwise the walk in order, the tags tested on each row (an expression the GIN
  // index does not serve, so that the plan walks), which stops after limit / share rows.
  const all = withTags
    ? `(select ${columns} from tagged r
    where (select count(*) from tagged) < ${TAG_MATCHES_SORTED}
    order by ${orderBy(PROJECTS_ORDER)} limit $5::int)
  union all
  (select ${columns} from resources r
    where ${listsAll} and (select count(*) from tagged) >= ${TAG_MATCHES_SORTED}
      and ${untagged}
      and (r.tag_ids || '{}'::uuid[]) @> ${tags}
    order by ${orderBy(PROJECTS_ORDER)} limit $5::int)`
    : `(select ${columns} from resources r
    where ${listsAll}
      and ${where}
    order by ${orderBy(PROJECTS_ORDER)} limit $5::int)`;
  const tagged = withTags
    ? `tagged as (
  select r.* from resources r where ${listsAll} and ${where} limit ${TAG_MATCHES_SORTED}),
`
    : '';
  return {
    name: `ideal-projects-${withCursor ? 'after' : 'first'}${withTags ? '-tags' : ''}`,
    text: `with ${ORGANIZATION_SCOPE_SQL},
${tagged}rows as (
  ${all}
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

/** Internal users and platform admins read the organization's members: a one-time filter on the scope. */
const READS_MEMBERS_SQL = `(select s.is_platform_admin or s.type in ('admin', 'member') from scope s)`;

/** A member as the service answers it, from memberships `m` and users `u`. */
const MEMBER_JSON_SQL = `json_build_object(
           'userId', m.user_id, 'email', u.email, 'name', u.name, 'type', m.type,
           'status', case when u.password_hash is null and u.email_verified_at is null
                               and u.service_account_organization_id is null then 'invited' else 'active' end,
           'isServiceAccount', u.service_account_organization_id is not null,
           'joinedAt', ${isoSql('m.created_at')},
           'expiresAt', case when m.expires_at is null then null else ${isoSql('m.expires_at')} end)`;

/**
 * GET /organizations/:orgId/members without a search: internal users (and platform admins) read
 * the organization's members in join order, workforce and external 403, others 404. Parameters:
 * $4 organization, $5 limit + 1, the cursor's key.
 */
function memberListStatement(withCursor: boolean): QueryConfig {
  const conditions = [`m.organization_id = $4::uuid`];
  if (withCursor) conditions.push(afterCursor(MEMBERS_ORDER, 6));
  return {
    name: `ideal-members-${withCursor ? 'after' : 'first'}`,
    text: `with ${ORGANIZATION_SCOPE_SQL},
rows as (
  select m.user_id, m.type, m.created_at, m.expires_at, ${keyColumns(MEMBERS_ORDER)} from memberships m
   where ${READS_MEMBERS_SQL} and ${conditions.join(' and ')}
   order by ${orderBy(MEMBERS_ORDER)} limit $5::int),
page as (
  select ${MEMBER_JSON_SQL} as item, ${keyAliases(MEMBERS_ORDER, 'm')}
    from rows m join users u on u.id = m.user_id)
${pageSelect(MEMBERS_ORDER)}`,
  };
}

/** What was typed, split as names and emails are indexed: the words one space apart, and the distinct words longest first. */
interface MemberSearch {
  text: string;
  words: string[];
}

/**
 * The autocomplete (GET /organizations/:orgId/members?q=), as membership.repository.ts's
 * memberSearchSql: each rank one ordered range scan of member_search_words_prefix_idx
 * (`using ~<~`) stopping at limit + 1 rows, started only when the ranks before it found fewer
 * (a one-time filter), a cursor skipping the ranks before its own. Parameters: $4 organization,
 * $5 limit + 1, then the ranges and the cursor's entry and user id, numbered in the order of first
 * use (the statement's text, so its name, depends only on the cursor's rank, whether several words
 * were typed, and how many other words).
 */
function memberSearchStatement(
  search: MemberSearch,
  after: string[] | undefined,
): { name: string; text: string; values: unknown[] } {
  const values: unknown[] = [];
  const slots = new Map<string, string>();
  /** The parameter of a value, one per key. */
  const param = (key: string, value: unknown, cast: string) => {
    let slot = slots.get(key);
    if (slot === undefined) {
      values.push(value);
      slot = `$${5 + values.length}::${cast}`;
      slots.set(key, slot);
    }
    return slot;
  };
  const range = (key: string, prefix: string): [string, string] => {
    const [from, to] = prefixRange(prefix);
    return [param(`${key}-from`, from, 'text'), param(`${key}-to`, to, 'text')];
  };
  const { text, words } = search;
  const [lead, ...others] = words;
  const severalWords = text !== lead;
  const afterRank = after === undefined ? undefined : Number(after[0]);

  /** The user `w` has an entry in one of these ranges. */
  const hasEntryIn = (ranges: (() => [string, string])[]) =>
    `exists (select 1 from member_search_words e
              where e.organization_id = $4::uuid and e.user_id = w.user_id
                and (${ranges
                  .map((r) => {
                    const [from, to] = r();
                    return `(e.word ~>=~ ${from} and e.word ~<~ ${to})`;
                  })
                  .join(' or ')}))`;
  const matchesEveryOtherWord = () =>
    others.map((word, i) =>
      hasEntryIn([() => range(`other${i}`, word), () => range(`other${i}-first`, ` ${word}`)]),
    );

  let scans = 0;
  let previous: string | undefined;
  const part = (rank: number, bounds: () => [string, string], conditions: (() => string | string[])[]) => {
    if (afterRank !== undefined && afterRank > rank) return undefined;
    const name = `found${scans++}`;
    const [from, to] = bounds();
    const where = [
      READS_MEMBERS_SQL,
      `w.organization_id = $4::uuid`,
      `w.word ~>=~ ${from}`,
      `w.word ~<~ ${to}`,
    ];
    if (previous) where.push(`(select count(*) from ${previous}) < $5::int`);
    for (const condition of conditions) where.push(...[condition()].flat());
    if (afterRank === rank) {
      const entry = param('after-entry', after![1], 'text');
      where.push(
        `w.word ~>=~ ${entry}`,
        `(w.word ~>~ ${entry} or w.user_id > ${param('after-user', after![2], 'uuid')})`,
      );
    }
    const scan = `(select ${rank} as rank, w.word as entry, w.user_id from member_search_words w
              where ${where.join('\n                and ')}
              order by w.word using ~<~, w.user_id limit $5::int)`;
    const cte = `${name} as (${previous ? `select * from ${previous} union all ` : ''}${scan})`;
    previous = name;
    return cte;
  };
  const name = () => range('name', ` ${text}`);
  // With one word typed, the name's range is the first word's: one pair of parameters for both.
  const firstWord = severalWords ? () => range('first-word', ` ${lead}`) : name;
  const word = () => range('word', lead);
  const parts = [
    part(0, name, []),
    // Rank 1 is rank 0's range cut out of the first word's: below it, then above it.
    ...(severalWords
      ? [
          part(1, firstWord, [() => `w.word ~<~ ${name()[0]}`, matchesEveryOtherWord]),
          part(1, firstWord, [() => `w.word ~>=~ ${name()[1]}`, matchesEveryOtherWord]),
        ]
      : []),
    part(2, word, [
      () => `not ${hasEntryIn([() => [word()[0], 'w.word'], firstWord, ...(severalWords ? [name] : [])])}`,
      matchesEveryOtherWord,
    ]),
  ].filter((sql) => sql !== undefined);
  return {
    name: `ideal-members-search-${afterRank ?? 'first'}-${severalWords ? 'text' : 'word'}-${others.length}`,
    text: `with ${ORGANIZATION_SCOPE_SQL},
${parts.join(',\n')},
found as (select * from ${previous} f order by ${orderBy(FOUND_MEMBERS_ORDER)} limit $5::int),
page as (
  select ${MEMBER_JSON_SQL} as item, ${keyColumns(FOUND_MEMBERS_ORDER)}
    from found f
    join memberships m on m.organization_id = $4::uuid and m.user_id = f.user_id
    join users u on u.id = f.user_id)
${pageSelect(FOUND_MEMBERS_ORDER)}`,
    values,
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

/**
 * The writes. Each is one statement: the caller confirmed, the rule checked, and every row written
 * in data-modifying CTEs, the statement being its own transaction (all its rows or none). The rows
 * are those our routes write (captured from them: bench/sql-capture-proxy.ts); what our database's
 * triggers add (search words, quota usage, tag ids on the project, the webhook outbox event of an
 * audited change when an endpoint is subscribed) follows from those rows, as for ours. The same
 * unique indexes settle concurrent writes; a loser gets the 409 ours gives.
 */

const INTERNAL_TYPES = ['admin', 'member'];
const MEMBERSHIP_TYPES = ['admin', 'member', 'workforce', 'external'];
const PROJECT_ROLES = ['admin', 'team_manager', 'annotator_reviewer', 'reviewer', 'annotator'];
/** The service's INVITATION_TTL (14 days), in seconds. */
const INVITATION_TTL_SECONDS = 14 * 24 * 60 * 60;
/** As class-validator's IsEmail for the addresses a client sends: one @, a dotted domain, no spaces. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const emailOf = (value: unknown): string | undefined => {
  if (typeof value !== 'string') return undefined;
  const email = value.trim().toLowerCase();
  return email.length <= 254 && EMAIL.test(email) ? email : undefined;
};

/** users_invited_sql's reading (users.repository.ts): no password and unverified, not a service account. */
const invitedSql = (alias: string) =>
  `(${alias}.password_hash is null and ${alias}.email_verified_at is null and ${alias}.service_account_organization_id is null)`;
const foundUserColumns = (alias: string) =>
  `${alias}.id, ${alias}.email, ${alias}.name, ${invitedSql(alias)} as invited`;

/** Internal in a workforce organization other than the grant's, both rows share-locked (membership.repository.ts). */
const workforceEligibleSql = (userId: string, organizationId: string) =>
  `exists (select 1 from memberships i join organizations w on w.id = i.organization_id
            where i.user_id = ${userId} and i.type in ('admin', 'member') and w.is_workforce
              and w.id <> ${organizationId} for share of i, w)`;

/** The invitation of an invited user to organization $4, inviter $1, renewed when there is one (invitations.repository.ts). */
const invitationUpsertSql = (from: string, userId: string, organizationId: string, ttl: string) =>
  `insert into invitations (id, created_at, organization_id, user_id, invited_by_id, sent_at, expires_at)
   select gen_random_uuid(), clock_timestamp(), ${organizationId}, ${userId}, $1::uuid, clock_timestamp(),
          clock_timestamp() + make_interval(secs => ${ttl})
     from ${from}
   on conflict (organization_id, user_id) do update
     set invited_by_id = coalesce(excluded.invited_by_id, invitations.invited_by_id),
         sent_at = excluded.sent_at, expires_at = excluded.expires_at`;

const AUDIT_INSERT = `insert into audit_events (id, created_at, organization_id, actor_id, action, target_type, target_id, data)`;

/**
 * POST /organizations/:orgId/members: $4 organization, $5 email, $6 type, $7 the email's domain, $8
 * the invitation's lifetime. Internal users add members, workforce and external users; admins add
 * admins too (membership.rules.ts). The refusals in our order: the domain of another organization
 * (internal types), already a member, internal elsewhere (internal types), not workforce-eligible.
 * Nothing is written unless all pass; a concurrent add of the same person loses on
 * memberships_org_user_unique or memberships_one_internal_org.
 */
const ADD_MEMBER_STATEMENT = {
  name: 'ideal-add-member',
  text: `with ${ORGANIZATION_SCOPE_SQL},
allowed as (
  select s.organization_id from scope s
   where s.organization_id is not null
     and (s.is_platform_admin or s.type = 'admin' or (s.type = 'member' and $6::text <> 'admin'))),
existing as (
  select ${foundUserColumns('u')}, u.service_account_organization_id is not null as is_service_account
    from users u where u.email = $5::text),
refusal as (
  select case
    when $6::text in ('admin', 'member')
         and exists (select 1 from organization_domains d where d.domain = $7::text and d.organization_id <> $4::uuid)
      then 'DOMAIN_OF_OTHER_ORGANIZATION'
    when exists (select 1 from existing e join memberships m on m.user_id = e.id and m.organization_id = $4::uuid)
      then 'ALREADY_MEMBER'
    when $6::text in ('admin', 'member')
         and exists (select 1 from existing e join memberships m on m.user_id = e.id
                      where m.organization_id <> $4::uuid and m.type in ('admin', 'member'))
      then 'ALREADY_INTERNAL_ELSEWHERE'
    when $6::text = 'workforce'
         and not coalesce((select ${workforceEligibleSql('e.id', '$4::uuid')} from existing e), false)
      then 'NOT_WORKFORCE_ELIGIBLE'
  end as code
    from allowed),
new_user as (
  insert into users (id, email, name, created_at)
  select gen_random_uuid(), $5::text, '', now() from refusal r
   where r.code is null and not exists (select 1 from existing)
  on conflict (email) do nothing
  returning ${foundUserColumns('users')}, users.service_account_organization_id is not null as is_service_account),
member as (
  select * from new_user
  union all
  select e.* from existing e, refusal r where r.code is null),
membership as (
  insert into memberships (id, organization_id, user_id, type, created_at, expires_at)
  select gen_random_uuid(), $4::uuid, m.id, $6::text, clock_timestamp(), null from member m
  returning user_id, created_at),
invitation as (
  ${invitationUpsertSql('member m join membership ms on ms.user_id = m.id where m.invited', 'm.id', '$4::uuid', '$8::int')}),
audit as (
  ${AUDIT_INSERT}
  select gen_random_uuid(), now(), $4::uuid, $1::uuid, 'membership.added', 'user', m.id,
         jsonb_build_object('email', m.email, 'type', $6::text,
                            'status', case when m.invited then 'invited' else 'active' end)
    from member m join membership ms on ms.user_id = m.id)
select s.is_platform_admin, s.organization_id, s.type, (select code from refusal) as code,
       m.id as user_id, m.email, m.name, m.invited, m.is_service_account, ${isoSql('ms.created_at')} as joined_at
  from scope s
  left join member m on true
  left join membership ms on ms.user_id = m.id`,
};

interface AddMemberRow extends ScopeRow {
  code: string | null;
  user_id: string | null;
  email: string;
  name: string;
  invited: boolean;
  is_service_account: boolean;
  joined_at: string | null;
}

/** The caller, project $4 and the caller's type in its organization and role on it. */
const PROJECT_SCOPE_SQL = `${CALLER_SQL},
scope as (
  select me.id as user_id, me.is_platform_admin, r.id as resource_id, r.organization_id, m.type,
         ${roleSql('r.id', 'me.id')} as role
    from caller me
    left join resources r on r.id = $4::uuid and r.kind = 'project'
    left join memberships m on m.organization_id = r.organization_id and m.user_id = me.id
                           and (m.expires_at is null or m.expires_at > now()))`;

interface ProjectScopeRow {
  user_id: string;
  is_platform_admin: boolean;
  resource_id: string | null;
  organization_id: string | null;
  type: string | null;
  role: string | null;
}

/**
 * POST /projects/:id/collaborators, one email: $4 project, $5 email, $6 role, $7 the invitation's
 * lifetime. Project admins invite any role, team managers any but admin (resources.rules.ts). The
 * project's row is locked for the statement, as ours locks it for its transaction. The person gets a
 * users row when unknown, a workforce or external membership when they have none there (audited),
 * an invitation when invited, the collaborator row and its audit event. The membership is locked
 * (for key share) or inserted in the statement; a concurrent insert of it, or of the users row,
 * leaves the statement without one: it is run again (the caller's second round trip, only then).
 */
const INVITE_STATEMENT = {
  name: 'ideal-invite-collaborator',
  text: `with ${PROJECT_SCOPE_SQL},
project as (
  select r.id, r.organization_id from resources r join scope s on r.id = s.resource_id
   where s.is_platform_admin or s.role = 'admin' or (s.role = 'team_manager' and $6::text <> 'admin')
     for update of r),
existing as (select ${foundUserColumns('u')} from users u where u.email = $5::text and exists (select 1 from project)),
new_user as (
  insert into users (id, email, name, created_at)
  select gen_random_uuid(), $5::text, '', now() from project
   where $5::text is not null and not exists (select 1 from existing)
  on conflict (email) do nothing
  returning ${foundUserColumns('users')}),
invitee as (select * from new_user union all select * from existing),
current as (
  select m.type from memberships m join project p on m.organization_id = p.organization_id
    join invitee i on m.user_id = i.id
     for key share of m),
joined as (
  insert into memberships (id, organization_id, user_id, type, created_at)
  select gen_random_uuid(), p.organization_id, i.id,
         case when ${workforceEligibleSql('i.id', 'p.organization_id')} then 'workforce' else 'external' end,
         clock_timestamp()
    from project p, invitee i
   where p.organization_id is not null and not exists (select 1 from current)
  on conflict (organization_id, user_id) do nothing
  returning type),
joined_audit as (
  ${AUDIT_INSERT}
  select gen_random_uuid(), now(), p.organization_id, $1::uuid, 'membership.added_by_invitation', 'user', i.id,
         jsonb_build_object('after', jsonb_build_object('type', j.type),
                            'via', jsonb_build_object('targetType', 'project', 'targetId', p.id))
    from joined j, project p, invitee i),
member as (
  select p.id as resource_id, p.organization_id, i.id as user_id, i.email, i.invited
    from project p, invitee i
   where p.organization_id is null or exists (select 1 from current) or exists (select 1 from joined)),
invitation as (
  ${invitationUpsertSql('member m where m.invited and m.organization_id is not null', 'm.user_id', 'm.organization_id', '$7::int')}),
added as (
  insert into collaborators (id, resource_id, user_id, role, organization_id, expires_at, created_at)
  select gen_random_uuid(), m.resource_id, m.user_id, $6::text, m.organization_id, null, now() from member m
  on conflict (resource_id, user_id) do nothing
  returning user_id),
added_audit as (
  ${AUDIT_INSERT}
  select gen_random_uuid(), clock_timestamp(), m.organization_id, $1::uuid, 'collaborator.added', 'project', m.resource_id,
         jsonb_build_object('userId', m.user_id, 'email', m.email, 'before', null,
                            'after', jsonb_build_object('role', $6::text))
    from added a join member m on m.user_id = a.user_id)
select s.*, exists (select 1 from project) as allowed, m.user_id as invitee_id, m.email,
       coalesce((select type from current), (select type from joined)) as organization_type,
       exists (select 1 from added) as added,
       (select c.role from collaborators c where c.resource_id = m.resource_id and c.user_id = m.user_id) as previous_role
  from scope s left join member m on true`,
};

interface InviteRow extends ProjectScopeRow {
  allowed: boolean;
  invitee_id: string | null;
  email: string;
  organization_type: string | null;
  added: boolean;
  previous_role: string | null;
}

/**
 * POST /projects/:id/tags: $4 project, $5 tag. Internal users of the project's organization who hold
 * a role on it, or are its admins, tag it (resources.rules.ts); platform admins too. The tag must be
 * the organization's, key-share locked so it cannot go before the row is committed; tagging twice
 * changes nothing and records nothing.
 */
const TAG_STATEMENT = {
  name: 'ideal-tag-project',
  text: `with ${PROJECT_SCOPE_SQL},
allowed as (
  select s.* from scope s
   where s.organization_id is not null
     and (s.is_platform_admin or (s.type in ('admin', 'member') and (s.role is not null or s.type = 'admin')))),
tag as (
  select t.id, t.name from tags t join allowed a on t.organization_id = a.organization_id
   where t.id = $5::uuid for key share of t),
tagged as (
  insert into project_tags (id, project_id, tag_id, organization_id, created_at)
  select gen_random_uuid(), a.resource_id, tag.id, a.organization_id, now() from allowed a, tag
  on conflict (project_id, tag_id) do nothing
  returning tag_id),
audit as (
  ${AUDIT_INSERT}
  select gen_random_uuid(), now(), a.organization_id, a.user_id, 'project.tag_added', 'project', a.resource_id,
         jsonb_build_object('tagId', tag.id, 'name', tag.name)
    from tagged, tag, allowed a)
select s.*, (select name from tag) as tag_name from scope s`,
};

interface TagRow extends ProjectScopeRow {
  tag_name: string | null;
}

/**
 * POST /projects: $4 the new id, $5 title, $6 description, $7 and $8 the organization's project quota
 * (as text for the commit-time trigger's setting, and as a number). Any signed-in caller; the project
 * is their internal organization's (its membership key-share locked so it stays until the commit), or
 * no organization's. The quota is checked as ours (quota_usage, the trigger holds it at commit); the
 * caller becomes its admin collaborator; the creation is audited.
 */
const CREATE_PROJECT_STATEMENT = {
  name: 'ideal-create-project',
  text: `with ${CALLER_SQL},
owner_org as (
  select m.organization_id from memberships m join caller c on m.user_id = c.id
   where m.type in ('admin', 'member') for key share of m),
quota as (
  select c.id as user_id,
         ((select organization_id from owner_org) is null
          or (set_config('orgs.quota_limit.projects', $7::text, true) is not null
              and coalesce((select q.used from quota_usage q
                             where q.organization_id = (select organization_id from owner_org)
                               and q.quota = 'projects'), 0) < $8::int)) as room
    from caller c),
created as (
  insert into resources (id, created_at, updated_at, kind, organization_id, owner_id, title, description, structure, ontology_id)
  select $4::uuid, now(), now(), 'project', (select organization_id from owner_org), q.user_id, $5::text, $6::text, null, null
    from quota q where q.room
  returning id, organization_id, owner_id, title, description, created_at, updated_at),
admin as (
  insert into collaborators (id, created_at, resource_id, user_id, role, organization_id)
  select gen_random_uuid(), now(), id, owner_id, 'admin', organization_id from created),
audit as (
  ${AUDIT_INSERT}
  select gen_random_uuid(), now(), organization_id, owner_id, 'project.created', 'project', id,
         jsonb_build_object('after', jsonb_build_object('title', title, 'description', description, 'ontologyId', null,
                                                        'datasetIds', '[]'::jsonb, 'tagIds', '[]'::jsonb))
    from created)
select q.room, c.id, c.organization_id, c.owner_id, c.title, c.description,
       ${isoSql('c.created_at')} as created_at, ${isoSql('c.updated_at')} as updated_at
  from quota q left join created c on true`,
};

interface CreatedProjectRow {
  room: boolean;
  id: string | null;
  organization_id: string | null;
  owner_id: string;
  title: string;
  description: string;
  created_at: string;
  updated_at: string;
}

const MAX_SEARCH_WORDS = 8;

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  422: 'Unprocessable Entity',
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
    parsed.every((value, i) => key.columns[i].valid(value));
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

export interface IdealServerOptions {
  databaseUrl: string;
  jwtSecret: string;
  poolMax?: number;
  /** The service's QUOTA_RESOURCES_PER_ORGANIZATION, for projects. */
  projectQuota?: number;
}

/** The ideal server, ready to listen or to be sent requests with `inject` (test/e2e/ideal-writes.e2e-spec.ts). */
export async function buildIdealServer(
  options: IdealServerOptions,
): Promise<{ app: FastifyInstance; close: () => Promise<void> }> {
  const secret = Buffer.from(options.jwtSecret, 'utf8');
  if (secret.length === 0) throw new Error('JWT_SECRET is required');
  const pool = new Pool({
    connectionString: options.databaseUrl,
    max: options.poolMax ?? 10,
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
        ...projectListStatement(after !== undefined, tags.length > 0),
        values: [
          ...claimsParams(claims),
          organizationId,
          limit + 1,
          ...(after ?? []),
          ...(tags.length > 0 ? [tags] : []),
        ],
      });
      const problem = organizationVerdict(row, listsProjects);
      if (problem) return sendProblem(request, reply, problem);
      return sendPage(reply, row!);
    },
  );

  /**
   * The typed text split as names and emails are indexed, as membership.repository.ts's
   * memberSearchOf; undefined without a word. Printable ASCII here; beyond it the database's own
   * member_search_text (unaccent), as the service does: a second round trip.
   */
  const searchOf = async (typed: string): Promise<MemberSearch | undefined> => {
    let text: string;
    if (/^[\x20-\x7e]*$/.test(typed)) {
      text = typed
        .toLowerCase()
        .split(/[^a-z0-9]+/)
        .filter(Boolean)
        .join(' ');
    } else {
      text = (await query<{ text: string }>({
        name: 'ideal-search-text',
        text: 'select member_search_text($1::text) as text',
        values: [typed],
      }))!.text;
    }
    if (text === '') return undefined;
    const words = [...new Set(text.split(' '))]
      .sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, MAX_SEARCH_WORDS);
    return { text, words };
  };

  app.get<{ Params: { orgId: string }; Querystring: Record<string, string | undefined> }>(
    '/organizations/:orgId/members',
    async (request, reply) => {
      const claims = verifyAccessToken(request.headers.authorization, secret);
      if (!claims) return sendProblem(request, reply, unauthenticated());
      const organizationId = isUuid(request.params.orgId) ? request.params.orgId : null;
      let limit: number;
      const q = request.query.q;
      try {
        limit = limitOf(request.query.limit);
        if (q !== undefined && q.length > 100)
          throw invalid('q', 'q must be shorter than or equal to 100 characters');
      } catch (error) {
        if (error instanceof Problem) {
          return refusedBeforeQuery(request, reply, claims, organizationId, readsMembers, error);
        }
        throw error;
      }
      const search = q ? await searchOf(q) : undefined;
      let after: string[] | undefined;
      try {
        after = decodeCursor(request.query.cursor, search ? FOUND_MEMBERS_ORDER : MEMBERS_ORDER);
      } catch (error) {
        if (error instanceof Problem) {
          return refusedBeforeQuery(request, reply, claims, organizationId, readsMembers, error);
        }
        throw error;
      }
      const head = [...claimsParams(claims), organizationId, limit + 1];
      let row: PageRow | undefined;
      if (search) {
        const statement = memberSearchStatement(search, after);
        row = await query<PageRow>({ ...statement, values: [...head, ...statement.values] });
      } else {
        row = await query<PageRow>({
          ...memberListStatement(after !== undefined),
          values: [...head, ...(after ?? [])],
        });
      }
      const problem = organizationVerdict(row, readsMembers);
      if (problem) return sendProblem(request, reply, problem);
      return sendPage(reply, row!);
    },
  );

  /** What the database refused, as ours answers it: the constraint that settled a concurrent write. */
  const CONSTRAINT_PROBLEMS: Record<string, () => Problem> = {
    memberships_org_user_unique: () =>
      new Problem(409, 'ALREADY_MEMBER', 'This user is already in the organization'),
    memberships_one_internal_org: () =>
      new Problem(
        409,
        'ALREADY_INTERNAL_ELSEWHERE',
        'This user is already an internal user (admin or member) of another organization',
      ),
  };
  const write = async <Row>(config: QueryConfig): Promise<Row | Problem | undefined> => {
    try {
      return await query<Row>(config);
    } catch (error) {
      const constraint = (error as { constraint?: string }).constraint;
      const problem = constraint ? CONSTRAINT_PROBLEMS[constraint] : undefined;
      if (problem) return problem();
      throw error;
    }
  };
  const sendCreated = (reply: FastifyReply, body: unknown) => reply.status(201).send(body);
  const isInternalType = (type: string | null) => type !== null && INTERNAL_TYPES.includes(type);

  app.post<{ Params: { orgId: string }; Body: Record<string, unknown> | undefined }>(
    '/organizations/:orgId/members',
    async (request, reply) => {
      const claims = verifyAccessToken(request.headers.authorization, secret);
      if (!claims) return sendProblem(request, reply, unauthenticated());
      const organizationId = isUuid(request.params.orgId) ? request.params.orgId : null;
      const mayAdd = (row: ScopeRow) => row.is_platform_admin || isInternalType(row.type);
      const email = emailOf(request.body?.email);
      const type = request.body?.type;
      if (
        !email ||
        typeof type !== 'string' ||
        !MEMBERSHIP_TYPES.includes(type) ||
        request.body?.expiresAt !== undefined
      ) {
        // Guests' expiries are not written here: the bench adds without one.
        const problem = !email
          ? invalid('email', 'email must be an email')
          : invalid('type', 'type is not supported here');
        return refusedBeforeQuery(request, reply, claims, organizationId, mayAdd, problem);
      }
      const values = [
        ...claimsParams(claims),
        organizationId,
        email,
        type,
        email.split('@').pop(),
        INVITATION_TTL_SECONDS,
      ];
      const row = await write<AddMemberRow>({ ...ADD_MEMBER_STATEMENT, values });
      if (row instanceof Problem) return sendProblem(request, reply, row);
      const problem = organizationVerdict(row, mayAdd);
      if (problem) return sendProblem(request, reply, problem);
      if (!row!.is_platform_admin && row!.type !== 'admin' && type === 'admin')
        return sendProblem(request, reply, forbidden());
      if (row!.code) {
        const status = row!.code === 'NOT_WORKFORCE_ELIGIBLE' ? 422 : 409;
        return sendProblem(request, reply, new Problem(status, row!.code, row!.code));
      }
      // The email was inserted by a concurrent request after this statement's snapshot: that one adds them.
      if (!row!.user_id || !row!.joined_at)
        return sendProblem(
          request,
          reply,
          new Problem(409, 'ALREADY_MEMBER', 'This user is already in the organization'),
        );
      return sendCreated(reply, {
        userId: row!.user_id,
        email: row!.email,
        name: row!.name,
        type,
        status: row!.invited ? 'invited' : 'active',
        isServiceAccount: row!.is_service_account,
        joinedAt: row!.joined_at,
        expiresAt: null,
      });
    },
  );

  /** 404 unless the caller may know the project: a role on it, its organization's admin, or a platform admin. */
  const projectVerdict = (row: ProjectScopeRow | undefined, may: boolean): Problem | undefined => {
    if (!row) return unauthenticated();
    if (!row.resource_id) return notFound('Project');
    if (may) return undefined;
    const discovers =
      row.is_platform_admin || row.role !== null || (row.type === 'admin' && row.organization_id !== null);
    return discovers ? forbidden() : notFound('Project');
  };

  app.post<{ Params: { id: string }; Body: Record<string, unknown> | undefined }>(
    '/projects/:id/collaborators',
    async (request, reply) => {
      const claims = verifyAccessToken(request.headers.authorization, secret);
      if (!claims) return sendProblem(request, reply, unauthenticated());
      const id = isUuid(request.params.id) ? request.params.id : null;
      const emails = request.body?.emails;
      const role = request.body?.role;
      // One email a request, as the bench sends: a role change of someone already collaborating is not written here.
      const email = Array.isArray(emails) && emails.length === 1 ? emailOf(emails[0]) : undefined;
      const valid = email !== undefined && typeof role === 'string' && PROJECT_ROLES.includes(role);
      const values = [
        ...claimsParams(claims),
        id,
        valid ? email : null,
        valid ? role : null,
        INVITATION_TTL_SECONDS,
      ];
      let row: InviteRow | Problem | undefined;
      // Run again once when a concurrent request inserted the person or their membership after the snapshot.
      for (let attempt = 0; attempt < 2; attempt++) {
        row = await write<InviteRow>({ ...INVITE_STATEMENT, values });
        if (row instanceof Problem || !row?.allowed || row.invitee_id) break;
      }
      if (row instanceof Problem) return sendProblem(request, reply, row);
      const may =
        row !== undefined &&
        (row.is_platform_admin || row.role === 'admin' || (row.role === 'team_manager' && role !== 'admin'));
      const problem = projectVerdict(row, may);
      if (problem) return sendProblem(request, reply, problem);
      if (!valid) return sendProblem(request, reply, invalid('emails', 'emails must be one email here'));
      if (!row!.invitee_id) throw new Error('the invitee was inserted concurrently twice');
      if (!row!.added && row!.previous_role !== role)
        return sendProblem(
          request,
          reply,
          new Problem(409, 'ROLE_CHANGE', 'A role change is not written here'),
        );
      return sendCreated(reply, {
        added: [
          { userId: row!.invitee_id, email: row!.email, role, organizationType: row!.organization_type },
        ],
      });
    },
  );

  app.post<{ Params: { id: string }; Body: Record<string, unknown> | undefined }>(
    '/projects/:id/tags',
    async (request, reply) => {
      const claims = verifyAccessToken(request.headers.authorization, secret);
      if (!claims) return sendProblem(request, reply, unauthenticated());
      const id = isUuid(request.params.id) ? request.params.id : null;
      const tagId = isUuid(request.body?.tagId) ? request.body.tagId : null;
      const row = await query<TagRow>({ ...TAG_STATEMENT, values: [...claimsParams(claims), id, tagId] });
      const may =
        row !== undefined &&
        (row.is_platform_admin ||
          (row.organization_id !== null &&
            isInternalType(row.type) &&
            (row.role !== null || row.type === 'admin')));
      const problem = projectVerdict(row, may);
      if (problem) return sendProblem(request, reply, problem);
      if (!tagId) return sendProblem(request, reply, invalid('tagId', 'tagId must be a UUID'));
      if (row!.tag_name === null)
        return sendProblem(
          request,
          reply,
          new Problem(
            422,
            'TAG_OF_OTHER_ORG',
            "Only tags of the project's own organization can be put on it",
          ),
        );
      return sendCreated(reply, { id: tagId, name: row!.tag_name });
    },
  );

  const projectQuota = options.projectQuota ?? 10000;
  app.post<{ Body: Record<string, unknown> | undefined }>('/projects', async (request, reply) => {
    const claims = verifyAccessToken(request.headers.authorization, secret);
    if (!claims) return sendProblem(request, reply, unauthenticated());
    const title = request.body?.title;
    const description = request.body?.description ?? '';
    if (typeof title !== 'string' || title.length < 1 || title.length > 200 || !isStorableText(title))
      return sendProblem(request, reply, invalid('title', 'title must be 1 to 200 characters'));
    if (typeof description !== 'string' || description.length > 10000 || !isStorableText(description))
      return sendProblem(
        request,
        reply,
        invalid('description', 'description must be at most 10000 characters'),
      );
    const row = await query<CreatedProjectRow>({
      ...CREATE_PROJECT_STATEMENT,
      values: [...claimsParams(claims), randomUUID(), title, description, String(projectQuota), projectQuota],
    });
    if (!row) return sendProblem(request, reply, unauthenticated());
    if (!row.room)
      return sendProblem(
        request,
        reply,
        new Problem(
          409,
          'QUOTA_EXCEEDED',
          `The organization has reached its limit of ${projectQuota} projects`,
        ),
      );
    return sendCreated(reply, {
      id: row.id,
      title: row.title,
      description: row.description,
      organizationId: row.organization_id,
      ownerId: row.owner_id,
      myRole: 'admin',
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      ontologyId: null,
      datasetIds: [],
      tags: [],
    });
  });

  await app.ready();
  return {
    app,
    close: async () => {
      await app.close();
      await pool.end();
    },
  };
}

async function main(): Promise<void> {
  const { app, close } = await buildIdealServer({
    databaseUrl: process.env.IDEAL_DATABASE_URL ?? '',
    jwtSecret: process.env.JWT_SECRET ?? '',
    poolMax: Number(process.env.DB_POOL_MAX ?? 10),
    projectQuota: Number(process.env.QUOTA_RESOURCES_PER_ORGANIZATION ?? 10000),
  });
  const stop = () => void close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  await app.listen({ port: Number(process.env.IDEAL_PORT), host: '127.0.0.1' });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
