import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { JsonAnswer } from '../../common/json-answer';
import { isoTimeSql, preciseTimeSql } from '../../common/keyset-time';
import { CursorElement, CursorElements, keysetCursor, Page } from '../../common/pagination';
import { isoTime } from '../../common/sql';
import { OnConflict, onConflictSql, sql, sqlAnswer } from '../../database/sql';
import { MembershipType } from '../../policy/vocabulary';
import type { SqlFragment } from '../../policy/sql-filter';
import {
  FOUND_USER_COLUMNS,
  FoundUserRow,
  insertInvitedUsersSql,
  invitedSql,
} from '../users/users.repository';
import { InvitationMailFactsRow, MAIL_FACTS_FROM } from './invitations.repository';
import { validatedQuery } from '../../common/validation';
import type { ScopeStatement, ScopeStatementOf } from '../../policy/policy-context';
import { ListMembersQuery } from './dto/member-requests.dto';
import { MemberDto } from './dto/member.dto';
import { MyMembershipDto } from './dto/my-membership.dto';

interface MemberRow {
  user_id: string;
  email: string;
  name: string;
  type: MembershipType;
  invited: boolean;
  is_service_account: boolean;
  created_at: Date | string;
  expires_at: Date | string | null;
  /** The keyset's time, at full precision. */
  joined_key: string;
}

const toMemberDto = (row: MemberRow): MemberDto => ({
  userId: row.user_id,
  email: row.email,
  name: row.name,
  type: row.type,
  status: row.invited ? 'invited' : 'active',
  isServiceAccount: row.is_service_account,
  joinedAt: isoTime(row.created_at),
  expiresAt: row.expires_at ? isoTime(row.expires_at) : null,
});

const MEMBER_COLUMNS = `m.user_id, u.email, u.name, m.type,
       ${invitedSql('u')} as invited,
       (u.service_account_organization_id is not null) as is_service_account, m.created_at, m.expires_at,
       ${preciseTimeSql('m.created_at')} as joined_key`;

const SELECT_MEMBER = `select ${MEMBER_COLUMNS}
  from memberships m join users u on u.id = m.user_id`;

/** Members by (joined time, user id). */
const MEMBERS_CURSOR = keysetCursor(CursorElements.timestamp, CursorElements.uuid);

/**
 * Where a found user stands (see `memberSearchSql`): 0, their name starts with the text typed; 1, the
 * first word of their name starts with the lead word; 2, another word of theirs does.
 */
type SearchRank = 0 | 1 | 2;
const SEARCH_RANK: CursorElement<SearchRank> = (value) =>
  value === 0 || value === 1 || value === 2 ? value : undefined;

/** Found members by (rank, sort entry of member_search_words, user id). */
const FOUND_MEMBERS_CURSOR = keysetCursor(SEARCH_RANK, CursorElements.text, CursorElements.uuid);

/**
 * The rule for being `workforce` in an organization: internal in a workforce organization other than
 * it. Parameters: the user id, then the organization id.
 */
const workforceEligibilitySql = (userId: string, organizationId: string) =>
  `select 1 from memberships i join organizations w on w.id = i.organization_id
    where i.user_id = ${userId} and i.type in ('admin', 'member') and w.is_workforce and w.id <> ${organizationId}`;

/** The caller's parts of `membershipsForInvitationSql`: the memberships' events, the invitations. */
export interface InvitationMembershipParts {
  /** Runs on `created` (user_id, organization_id, type). */
  audit: (created: string) => SqlFragment;
  /** Runs on the (organization_id, user_id) rows of invited users. */
  invitation: (invited: string) => SqlFragment;
}

/**
 * The CTEs giving each (organization_id, user_id, invited) row of the CTE `given` a membership for an
 * invitation, as a part of a statement: `current`, their type, locked as `lockType` does (in user id
 * order); or, when they have none, `created` (user_id, organization_id, type), the membership
 * inserted for them, `workforce` or `external` as the workforce rule decides (`on conflict`: one a
 * concurrent invitation inserted, which the statement's snapshot cannot see, is left as it is and in
 * neither; with `refuse`, it fails the statement). Then `membership_audit`, the caller's audit part,
 * and `invitation`, its invitation part (returning what `MAIL_FACTS_FROM` reads).
 */
export function membershipsForInvitationSql(
  given: string,
  parts: InvitationMembershipParts,
  conflicts: OnConflict = 'skip',
): SqlFragment {
  const audit = parts.audit('created');
  const invitation = parts.invitation(`${given} where invited`);
  return {
    sql: `current as (
         select m.user_id, m.type from memberships m
           join ${given} g on g.organization_id = m.organization_id and g.user_id = m.user_id
          order by m.user_id for key share of m),
       created as (
         insert into memberships (id, organization_id, user_id, type, created_at)
         select gen_random_uuid(), g.organization_id, g.user_id,
                case when exists (${workforceEligibilitySql('g.user_id', 'g.organization_id')}) then 'workforce' else 'external' end,
                clock_timestamp()
           from ${given} g where not exists (select 1 from current c where c.user_id = g.user_id)
         ${onConflictSql('(organization_id, user_id)', conflicts)}
         returning user_id, organization_id, type),
       membership_audit as (${audit.sql}),
       invitation as (${invitation.sql})`,
    params: [...audit.params, ...invitation.params],
  };
}

/** A member to add by email; `domain` is the email's. */
export interface NewMember {
  organizationId: string;
  email: string;
  domain: string;
  type: MembershipType;
  expiresAt: Date | null;
}

/** Why an add was refused, as `MembershipRepository.add` finds it; the codes of MembershipErrors. */
export type AddRefusal =
  'DOMAIN_OF_OTHER_ORGANIZATION' | 'ALREADY_MEMBER' | 'ALREADY_INTERNAL_ELSEWHERE' | 'NOT_WORKFORCE_ELIGIBLE';

/**
 * What `MembershipRepository.add` did: refused (`refusal`), added (the user's columns as `member`, the
 * membership's times, the invitation's mail facts when the user is invited), or neither (no
 * `member`: the email's user was inserted by a concurrent statement this one's snapshot cannot see).
 */
export interface AddedMemberRow {
  refusal: AddRefusal | null;
  member: FoundUserRow | null;
  created_at: Date | string | null;
  expires_at: Date | string | null;
  invitation: InvitationMailFactsRow | null;
}

export interface MemberFilter {
  types?: readonly MembershipType[];
  /** Keyset: the (joined time, user id) of the last row of the previous page. */
  after?: readonly [string, string];
  limit: number;
}

/** What was typed in the autocomplete, split the way names and emails are indexed (see `memberSearchOf`). */
export interface MemberSearch {
  /** The words typed, in order, one space apart. */
  text: string;
  /** The distinct words, longest (most selective) first; each must begin a word of a found user. */
  words: readonly string[];
}

export interface MemberSearchFilter {
  types?: readonly MembershipType[];
  search: MemberSearch;
  /** Keyset: the (rank, entry, user id) of the last row of the previous page. */
  after?: readonly [SearchRank, string, string];
  limit: number;
}

/**
 * The entries that begin with `prefix`, as a range in the byte order of text_pattern_ops: from the
 * prefix to the prefix with its last character incremented. A bound range, unlike `like ? || '%'`,
 * is one the planner can serve from member_search_words_prefix_idx in a generic plan too.
 */
function prefixRange(prefix: string): [string, string] {
  const characters = [...prefix];
  const last = characters.pop()!.codePointAt(0)!;
  // Past the surrogates' block, the next code point that UTF-8 can encode.
  const next = last === 0xd7ff ? 0xe000 : last + 1;
  return [prefix, characters.join('') + String.fromCodePoint(next)];
}

/** The members page as one SQL statement, by (joined time, user id), the order of memberships_org_joined_idx. */
export function memberListSql(
  organizationId: string,
  filter: MemberFilter,
): { sql: string; params: unknown[] } {
  const where = ['m.organization_id = ?'];
  const params: unknown[] = [organizationId];
  if (filter.types && filter.types.length > 0) {
    where.push('m.type = any(?::text[])');
    params.push([...filter.types]);
  }
  if (filter.after) {
    where.push('(m.created_at, m.user_id) > (?::timestamptz, ?::uuid)');
    params.push(filter.after[0], filter.after[1]);
  }
  return {
    sql: `${SELECT_MEMBER} where ${where.join(' and ')} order by m.created_at, m.user_id ${MEMBERS_CURSOR.limitSql(filter.limit)}`,
    params,
  };
}

/**
 * The autocomplete's page as one SQL statement. Raw SQL: the plan depends on each part reading
 * member_search_words_prefix_idx in its order (`using ~<~`, the text_pattern_ops order) and stopping
 * at the page, which no query builder writes.
 *
 * member_search_words holds, per member, the entry `' ' || name` and an entry `word || ' ' || name`
 * per other word of the name and email (see Migration20261130010000_ranked_member_search). The found
 * users come in three ranks, each an ordered range scan of the index that stops after `limit + 1`
 * rows, so a page reads O(limit) entries however many users match:
 *
 * 0. the name starts with the text typed: the range `' ' || text`, by name;
 * 1. the name's first word starts with the lead word (the longest typed) but the name does not start
 *    with the text: the range `' ' || lead` without rank 0's range, by name (only with several words);
 * 2. another word starts with the lead word: the range `lead`, by that word, then name, each user
 *    once (at their first such entry) and only when not in rank 0 or 1.
 *
 * Ranks 1 and 2 check the other typed words by a probe of the user's own entries (primary key
 * (organization_id, user_id, word)); rank 0 needs no check: a name that starts with the text has a
 * word beginning with each word typed. Together, the ranks find exactly the users with a word
 * beginning with every typed word, each once. A rank's scan starts only when the ranks before it
 * found fewer rows than the page wants, and a cursor skips the ranks before its own.
 */
export function memberSearchSql(
  organizationId: string,
  filter: MemberSearchFilter,
): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const bind = (value: unknown, cast: string) => {
    params.push(value);
    return `?::${cast}`;
  };
  const { text, words } = filter.search;
  const [lead, ...others] = words;
  const [nameFrom, nameTo] = prefixRange(` ${text}`);
  const [firstWordFrom, firstWordTo] = prefixRange(` ${lead}`);
  const [wordFrom, wordTo] = prefixRange(lead);

  /** A range's bound: a value to bind, or SQL. */
  type Bound = string | { sql: string };
  const bound = (value: Bound) => (typeof value === 'string' ? bind(value, 'text') : value.sql);
  /** The user `w` has an entry in one of these ranges, each [from, to). */
  const hasEntryIn = (ranges: [Bound, Bound][]) => {
    const organization = bind(organizationId, 'uuid');
    const inRanges = ranges.map(([from, to]) => `(e.word ~>=~ ${bound(from)} and e.word ~<~ ${bound(to)})`);
    return `exists (select 1 from member_search_words e
              where e.organization_id = ${organization} and e.user_id = w.user_id and (${inRanges.join(' or ')}))`;
  };
  const matchesEveryOtherWord = () =>
    others.map((word) => hasEntryIn([prefixRange(word), prefixRange(` ${word}`)]));

  const rowsWanted = filter.limit + 1;
  let scans = 0;
  let previous: string | undefined;
  /**
   * One rank's ordered range scan, as a CTE with the parts before it. It runs only when they found
   * fewer rows than the page wants (a one-time filter: the scan is not even started otherwise).
   * `conditions` are called in order, so that parameters follow the text.
   */
  const part = (rank: SearchRank, from: string, to: string, conditions: (() => string | string[])[]) => {
    if (filter.after && filter.after[0] > rank) return undefined;
    const name = `found${scans++}`;
    const where = [
      `w.organization_id = ${bind(organizationId, 'uuid')}`,
      `w.word ~>=~ ${bind(from, 'text')}`,
      `w.word ~<~ ${bind(to, 'text')}`,
    ];
    if (previous) where.push(`(select count(*) from ${previous}) < ${bind(rowsWanted, 'int')}`);
    for (const condition of conditions) where.push(...[condition()].flat());
    if (filter.after && filter.after[0] === rank) {
      // The bound on the word is the index's; the user id only breaks ties within one entry.
      where.push(
        `w.word ~>=~ ${bind(filter.after[1], 'text')}`,
        `(w.word ~>~ ${bind(filter.after[1], 'text')} or w.user_id > ${bind(filter.after[2], 'uuid')})`,
      );
    }
    if (filter.types && filter.types.length > 0) {
      where.push(
        `exists (select 1 from memberships t
                  where t.organization_id = ${bind(organizationId, 'uuid')} and t.user_id = w.user_id
                    and t.type = any(${bind([...filter.types], 'text[]')}))`,
      );
    }
    const scan = `(select ${rank} as rank, w.word as entry, w.user_id from member_search_words w
              where ${where.join('\n                and ')}
              order by w.word using ~<~, w.user_id limit ${bind(rowsWanted, 'int')})`;
    const cte = `${name} as (${previous ? `select * from ${previous} union all ` : ''}${scan})`;
    previous = name;
    return cte;
  };

  const severalWords = text !== lead;
  const parts = [
    part(0, nameFrom, nameTo, []),
    // Rank 1 is rank 0's range cut out of the first word's: below it, then above it.
    ...(severalWords
      ? [
          part(1, firstWordFrom, firstWordTo, [
            () => `w.word ~<~ ${bind(nameFrom, 'text')}`,
            matchesEveryOtherWord,
          ]),
          part(1, firstWordFrom, firstWordTo, [
            () => `w.word ~>=~ ${bind(nameTo, 'text')}`,
            matchesEveryOtherWord,
          ]),
        ]
      : []),
    part(2, wordFrom, wordTo, [
      () =>
        `not ${hasEntryIn([
          [wordFrom, { sql: 'w.word' }],
          [firstWordFrom, firstWordTo],
          ...(severalWords ? [[nameFrom, nameTo] as [string, string]] : []),
        ])}`,
      matchesEveryOtherWord,
    ]),
  ].filter((sql) => sql !== undefined);

  const order = 'order by f.rank, f.entry using ~<~, f.user_id';
  // The page is cut before the members are read: one row each of memberships and users per item.
  const sql = `with ${parts.join(',\n    ')},
    page as (select * from ${previous} f ${order} limit ${bind(rowsWanted, 'int')})
    select ${MEMBER_COLUMNS}, f.rank, f.entry
      from page f
      join memberships m on m.organization_id = ${bind(organizationId, 'uuid')} and m.user_id = f.user_id
      join users u on u.id = f.user_id
     ${order}`;
  return { sql, params };
}

/** At most this many words of the query are searched: the longest, the most selective. */
const MAX_SEARCH_WORDS = 8;

/**
 * The query text split the way names and emails are indexed (member_search_text: lowercased,
 * unaccented, split on spaces and punctuation); undefined when it has no word. Printable ASCII, what
 * people type nearly always, is split here: unaccent changes no ASCII character and ASCII's
 * punctuation and spaces are every character but letters and digits, so the answer is the same
 * without a round trip. Anything else goes through the database function itself, as its own
 * statement: `unaccent` is only STABLE, and inside the search query it would hide the words from the
 * planner.
 */
export async function memberSearchOf(em: EntityManager, typed: string): Promise<MemberSearch | undefined> {
  const text =
    asciiSearchText(typed) ??
    (await sql<{ text: string }>(em, `select member_search_text(?::text) as text`, [typed]))[0].text;
  return searchOfText(text);
}

/** member_search_text of printable ASCII; undefined for any other text. */
function asciiSearchText(typed: string): string | undefined {
  if (!/^[\x20-\x7e]*$/.test(typed)) return undefined;
  return typed
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .join(' ');
}

function searchOfText(text: string): MemberSearch | undefined {
  if (text === '') return undefined;
  const words = [...new Set(text.split(' '))]
    .sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, MAX_SEARCH_WORDS);
  return { text, words };
}

/** A members page as the route takes it: the list, or with `q` the autocomplete. */
export interface MemberPageQuery {
  types?: readonly MembershipType[];
  q?: string;
  cursor?: string;
  limit: number;
}

/** A member as MemberDto declares it, keys in its order, written by PostgreSQL from a row of MEMBER_COLUMNS `p`. */
const MEMBER_ITEM_SQL = `(select row_to_json(i) from (select p.user_id as "userId", p.email, p.name, p.type,
    case when p.invited then 'invited' else 'active' end as status,
    p.is_service_account as "isServiceAccount", ${isoTimeSql('p.created_at')} as "joinedAt",
    case when p.expires_at is null then null else ${isoTimeSql('p.expires_at')} end as "expiresAt") i)`;

/**
 * The members page's one statement, answering the page's JSON (`JsonAnswer`); `search` is the `q`
 * split (undefined: the list by join time).
 */
function memberPageStatement(
  organizationId: string,
  query: MemberPageQuery,
  search: MemberSearch | undefined,
): ScopeStatement {
  if (!search) {
    const list = memberListSql(organizationId, {
      types: query.types,
      after: MEMBERS_CURSOR.decode(query.cursor),
      limit: query.limit,
    });
    return {
      sql: MEMBERS_CURSOR.answerSql({
        rowsSql: list.sql,
        orderBy: 'p.created_at, p.user_id',
        itemSql: MEMBER_ITEM_SQL,
        keySql: ['p.joined_key', 'p.user_id'],
        limit: query.limit,
      }),
      params: list.params,
    };
  }
  const found = memberSearchSql(organizationId, {
    types: query.types,
    search,
    after: FOUND_MEMBERS_CURSOR.decode(query.cursor),
    limit: query.limit,
  });
  return {
    sql: FOUND_MEMBERS_CURSOR.answerSql({
      rowsSql: found.sql,
      orderBy: 'p.rank, p.entry using ~<~, p.user_id',
      itemSql: MEMBER_ITEM_SQL,
      keySql: ['p.rank', 'p.entry', 'p.user_id'],
      limit: query.limit,
    }),
    params: found.params,
  };
}

/**
 * The members page's statement for the policy guard to run in its scope statement (`load`): the
 * route's raw query, validated as its pipe does; none for a search that needs the database to split
 * its text (not printable ASCII).
 */
export const memberPageInScope: ScopeStatementOf = async ({ params, query }) => {
  const valid = await validatedQuery(ListMembersQuery, query);
  const text = valid.q ? asciiSearchText(valid.q) : undefined;
  if (valid.q && text === undefined) return undefined;
  const statement = memberPageStatement(
    params.orgId,
    pageQueryOf(valid),
    text === undefined ? undefined : searchOfText(text),
  );
  // The rules put no condition on the members a caller may read: the same page for all who pass.
  return () => statement;
};

export const pageQueryOf = (query: ListMembersQuery): MemberPageQuery => ({
  types: query.type,
  q: query.q,
  cursor: query.cursor,
  limit: query.limit,
});

/**
 * The user's internal organization (none when they are internal nowhere), its membership row locked
 * `for key share`: a removal from it running now either waits for the caller's transaction or
 * finishes first. Parameter: the user id. Also a CTE of the statement creating a resource.
 */
export const INTERNAL_ORGANIZATION_LOCK_SQL = `select organization_id from memberships
  where user_id = ?::uuid and type in ('admin', 'member') for key share`;

/** How a statement reading a membership row locks it; see the callers for why each is needed. */
type RowLock = 'for update' | 'for share' | 'for key share' | '';

/** The SQL of memberships: the only writer of the table. */
@Injectable()
export class MembershipRepository {
  /** The page; its answer given when the policy guard loaded it with the scope (`memberPageInScope`). */
  async page(
    em: EntityManager,
    organizationId: string,
    query: MemberPageQuery,
    loadedAnswer?: JsonAnswer<unknown>,
  ): Promise<JsonAnswer<Page<MemberDto>>> {
    if (loadedAnswer) return loadedAnswer as JsonAnswer<Page<MemberDto>>;
    const search = query.q ? await memberSearchOf(em, query.q) : undefined;
    return sqlAnswer(em, memberPageStatement(organizationId, query, search));
  }

  async findMember(
    em: EntityManager,
    organizationId: string,
    userId: string,
  ): Promise<MemberDto | undefined> {
    const [row] = await sql<MemberRow>(em, `${SELECT_MEMBER} where m.organization_id = ? and m.user_id = ?`, [
      organizationId,
      userId,
    ]);
    return row ? toMemberDto(row) : undefined;
  }

  /** A user's memberships with their organizations, for /me and the verification answer. */
  async membershipsOf(em: EntityManager, userId: string): Promise<MyMembershipDto[]> {
    const rows = await sql<{ id: string; name: string; is_workforce: boolean; type: MembershipType }>(
      em,
      `select o.id, o.name, o.is_workforce, m.type
         from memberships m join organizations o on o.id = m.organization_id
        where m.user_id = ? and (m.expires_at is null or m.expires_at > now()) order by o.name, o.id`,
      [userId],
    );
    return rows.map((row) => ({
      organization: { id: row.id, name: row.name, isWorkforce: row.is_workforce },
      type: row.type,
    }));
  }

  /** The user's type in the organization, the row locked as asked; null when they have none. */
  async typeOf(
    em: EntityManager,
    organizationId: string,
    userId: string,
    lock: RowLock,
  ): Promise<MembershipType | null> {
    const [row] = await sql<{ type: MembershipType }>(
      em,
      `select type from memberships where organization_id = ? and user_id = ? ${lock}`,
      [organizationId, userId],
    );
    return row?.type ?? null;
  }

  /**
   * The user's type in the organization, their membership row locked `for key share` (the lock the
   * rights_need_membership trigger takes) until the transaction ends; null when they have none. Every
   * grant of a right in an organization reads the membership this way: a removal holds the row
   * `for update`, so a grant that locked it first commits before the removal runs (which then takes
   * the new right away), and a grant that comes second waits and finds the membership gone.
   */
  lockType(em: EntityManager, organizationId: string, userId: string): Promise<MembershipType | null> {
    return this.typeOf(em, organizationId, userId, 'for key share');
  }

  /** The organization where the user is internal, locked as `lockType` does; null when none. */
  async lockInternalOrganization(em: EntityManager, userId: string): Promise<string | null> {
    const [row] = await sql<{ organization_id: string }>(em, INTERNAL_ORGANIZATION_LOCK_SQL, [userId]);
    return row?.organization_id ?? null;
  }

  /** The given users who are admins, members or workforce of the organization, their rows share-locked. */
  async lockUsersInOrganization(
    em: EntityManager,
    organizationId: string,
    userIds: readonly string[],
    types: readonly MembershipType[],
  ): Promise<string[]> {
    const rows = await sql<{ user_id: string }>(
      em,
      `select user_id from memberships
        where organization_id = ? and user_id = any(?::uuid[]) and type = any(?::text[])
        for share`,
      [organizationId, userIds, types],
    );
    return rows.map((row) => row.user_id);
  }

  async adminCount(em: EntityManager, organizationId: string): Promise<number> {
    const [row] = await sql<{ count: string }>(
      em,
      `select count(*) from memberships where organization_id = ? and type = 'admin'`,
      [organizationId],
    );
    return Number(row.count);
  }

  async isInternalElsewhere(em: EntityManager, userId: string, organizationId: string): Promise<boolean> {
    const rows = await sql(
      em,
      `select 1 from memberships where user_id = ? and organization_id <> ? and type in ('admin', 'member')`,
      [userId, organizationId],
    );
    return rows.length > 0;
  }

  /** Workforce memberships that hold only while this organization is a workforce one. */
  async workforceDependingOn(em: EntityManager, organizationId: string): Promise<number> {
    const [{ count }] = await sql<{ count: string }>(
      em,
      `select count(*) from memberships w
         join memberships i on i.user_id = w.user_id and i.organization_id = ? and i.type in ('admin', 'member')
        where w.type = 'workforce'`,
      [organizationId],
    );
    return Number(count);
  }

  /** A new membership; a guest's may come with its expiry. When it was made, and its expiry. */
  async insert(
    em: EntityManager,
    organizationId: string,
    userId: string,
    type: MembershipType,
    expiresAt: Date | null = null,
  ): Promise<{ created_at: Date; expires_at: Date | null }> {
    const [row] = await sql<{ created_at: Date; expires_at: Date | null }>(
      em,
      `insert into memberships (id, organization_id, user_id, type, created_at, expires_at)
       values (gen_random_uuid(), ?, ?, ?, clock_timestamp(), ?::timestamptz)
       returning created_at, expires_at`,
      [organizationId, userId, type, expiresAt],
    );
    return row;
  }

  /**
   * Adds the user of the email (inserted as invited when unknown) in one statement, unless a rule
   * refuses: the email's domain given to another organization (internal types), a membership here
   * already, an internal membership elsewhere (internal types), no workforce eligibility (its rows
   * share-locked: neither the internal membership nor the workforce flag can go before this
   * membership is committed). Nothing is written when one refuses. The parts
   * of the caller's statement run on the CTE `added` (user_id, organization_id, email, status), one
   * row when the member was added: `invitation` (its rows returned as `MAIL_FACTS_FROM` reads them)
   * and `audit`.
   */
  async add(
    em: EntityManager,
    member: NewMember,
    parts: { invitation: (added: string) => SqlFragment; audit: (added: string) => SqlFragment },
  ): Promise<AddedMemberRow> {
    const invitation = parts.invitation(`added where added.status = 'invited'`);
    const audit = parts.audit('added');
    const [row] = await sql<AddedMemberRow>(
      em,
      `with given as (
         select ?::uuid as organization_id, ?::text as email, ?::text as domain, ?::text as type,
                ?::timestamptz as expires_at),
       existing as (select ${FOUND_USER_COLUMNS} from users where email = (select email from given)),
       refusal as (
         select case
           when g.type in ('admin', 'member') and exists (
                  select 1 from organization_domains d where d.domain = g.domain and d.organization_id <> g.organization_id)
             then 'DOMAIN_OF_OTHER_ORGANIZATION'
           when exists (
                  select 1 from existing e join memberships m on m.user_id = e.id and m.organization_id = g.organization_id)
             then 'ALREADY_MEMBER'
           when g.type in ('admin', 'member') and exists (
                  select 1 from existing e join memberships m on m.user_id = e.id
                   where m.organization_id <> g.organization_id and m.type in ('admin', 'member'))
             then 'ALREADY_INTERNAL_ELSEWHERE'
           when g.type = 'workforce' and not exists (
                  select 1 from existing e
                   where exists (${workforceEligibilitySql('e.id', 'g.organization_id')} for share of i, w))
             then 'NOT_WORKFORCE_ELIGIBLE'
         end as code
           from given g),
       new_user as (${insertInvitedUsersSql(
         `select g.email from given g, refusal r where r.code is null and not exists (select 1 from existing)`,
       )}),
       member as (
         select * from new_user
         union all
         select e.* from existing e, refusal r where r.code is null),
       membership as (
         insert into memberships (id, organization_id, user_id, type, created_at, expires_at)
         select gen_random_uuid(), g.organization_id, m.id, g.type, clock_timestamp(), g.expires_at
           from member m, given g
         returning user_id, created_at, expires_at),
       added as (
         select m.id as user_id, g.organization_id, m.email,
                case when m.invited then 'invited' else 'active' end as status
           from member m join membership ms on ms.user_id = m.id, given g),
       invitation as (${invitation.sql}),
       audit as (${audit.sql})
       select r.code as refusal, to_jsonb(m) as member, ms.created_at, ms.expires_at,
              (select to_jsonb(f) from (${MAIL_FACTS_FROM('invitation', 'member')}) f) as invitation
         from refusal r
         left join member m on true
         left join membership ms on ms.user_id = m.id`,
      [
        member.organizationId,
        member.email,
        member.domain,
        member.type,
        member.expiresAt,
        ...invitation.params,
        ...audit.params,
      ],
    );
    return row;
  }

  /** A guest's expiry (null: never); the warning mail is owed again for a new time. */
  async setExpiry(
    em: EntityManager,
    organizationId: string,
    userId: string,
    expiresAt: Date | null,
  ): Promise<void> {
    await sql(
      em,
      `update memberships set expires_at = ?, expiry_warned_at = null where organization_id = ? and user_id = ?`,
      [expiresAt, organizationId, userId],
    );
  }

  /**
   * In one statement, for each user: their `current` type in the organization, or the type of the
   * membership `created` for them (`membershipsForInvitationSql`); both null when a concurrent
   * invitation inserted one that this statement's snapshot cannot see: read it with `lockType`. The
   * invitations of `invitedUserIds` are returned as `MAIL_FACTS_FROM` reads them.
   */
  async lockOrInsertForInvitation(
    em: EntityManager,
    organizationId: string,
    userIds: readonly string[],
    invitedUserIds: readonly string[],
    parts: InvitationMembershipParts,
  ): Promise<{
    types: { user_id: string; current: MembershipType | null; created: MembershipType | null }[];
    invitations: InvitationMailFactsRow[];
  }> {
    const memberships = membershipsForInvitationSql('given', parts);
    const rows = await sql<{
      user_id: string;
      current: MembershipType | null;
      created: MembershipType | null;
      invitations: InvitationMailFactsRow[] | null;
    }>(
      em,
      `with given as (
         select ?::uuid as organization_id, u.user_id, u.user_id = any(?::uuid[]) as invited
           from unnest(?::uuid[]) as u(user_id)),
       ${memberships.sql}
       select g.user_id, c.type as current, n.type as created,
              (select jsonb_agg(f) from (${MAIL_FACTS_FROM('invitation', 'users')}) f) as invitations
         from given g left join current c on c.user_id = g.user_id left join created n on n.user_id = g.user_id`,
      [organizationId, invitedUserIds, userIds, ...memberships.params],
    );
    return { types: rows, invitations: rows[0]?.invitations ?? [] };
  }

  /**
   * The user becomes `member` of the organization owning the email's domain when they are internal
   * nowhere (a workforce or external membership there is upgraded). The partial unique index on
   * internal memberships settles races: the loser stays as it was. Null when nothing changed.
   */
  async joinByDomain(
    em: EntityManager,
    domain: string,
    userId: string,
  ): Promise<{ organizationId: string; upgradedFrom: MembershipType | null } | null> {
    const [row] = await sql<{ organization_id: string; upgraded_from: MembershipType | null }>(
      em,
      `with target as (
         select d.organization_id from organization_domains d
          where d.domain = ?
            and not exists (select 1 from memberships m where m.user_id = ?::uuid and m.type in ('admin', 'member'))
       ), previous as (
         select m.type from memberships m join target t on t.organization_id = m.organization_id where m.user_id = ?::uuid
       )
       insert into memberships (id, organization_id, user_id, type, created_at)
       select gen_random_uuid(), t.organization_id, ?::uuid, 'member', now() from target t
       on conflict (organization_id, user_id) do update set type = 'member'
       returning organization_id, (select type from previous) as upgraded_from`,
      [domain, userId, userId, userId],
    );
    return row ? { organizationId: row.organization_id, upgradedFrom: row.upgraded_from } : null;
  }

  async setType(
    em: EntityManager,
    organizationId: string,
    userId: string,
    type: MembershipType,
  ): Promise<void> {
    await sql(em, `update memberships set type = ? where organization_id = ? and user_id = ?`, [
      type,
      organizationId,
      userId,
    ]);
  }

  async delete(em: EntityManager, organizationId: string, userId: string): Promise<void> {
    await sql(em, `delete from memberships where organization_id = ? and user_id = ?`, [
      organizationId,
      userId,
    ]);
  }

  /**
   * Guests' memberships whose expiry has passed, oldest first, locked: `skip locked` lets several
   * instances sweep at once, each taking rows no other holds.
   */
  async dueToExpire(
    em: EntityManager,
    limit: number,
  ): Promise<{ organization_id: string; user_id: string; type: MembershipType; expires_at: Date }[]> {
    return sql(
      em,
      `select organization_id, user_id, type, expires_at from memberships
        where expires_at <= now() order by expires_at limit ? for update skip locked`,
      [limit],
    );
  }

  /** Memberships expiring before `until` whose admins were not warned yet; marked warned, in the caller's transaction. */
  async takeDueForWarning(
    em: EntityManager,
    until: Date,
    limit: number,
  ): Promise<{ organization_id: string; organization_name: string; email: string; expires_at: Date }[]> {
    return sql(
      em,
      `with due as (
         select m.id from memberships m
          where m.expires_at > now() and m.expires_at <= ? and m.expiry_warned_at is null
          order by m.expires_at limit ? for update skip locked
       )
       update memberships m set expiry_warned_at = now()
         from due, users u, organizations o
        where m.id = due.id and u.id = m.user_id and o.id = m.organization_id
       returning m.organization_id, o.name as organization_name, u.email, m.expires_at`,
      [until, limit],
    );
  }

  /** Whom to warn: the organization's admins. */
  async adminEmails(em: EntityManager, organizationId: string): Promise<string[]> {
    const rows = await sql<{ email: string }>(
      em,
      `select u.email from memberships m join users u on u.id = m.user_id
        where m.organization_id = ? and m.type = 'admin' order by u.email`,
      [organizationId],
    );
    return rows.map((row) => row.email);
  }
}
