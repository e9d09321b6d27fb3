import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { preciseTimeSql } from '../../common/keyset-time';
import { CursorElements, keysetCursor, Page } from '../../common/pagination';
import { isoTime } from '../../common/sql';
import { sql } from '../../database/sql';
import { MembershipType } from '../../policy/vocabulary';
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

const SELECT_MEMBER = `select m.user_id, u.email, u.name, m.type,
       (u.password_hash is null and u.email_verified_at is null and u.service_account_organization_id is null) as invited,
       (u.service_account_organization_id is not null) as is_service_account, m.created_at, m.expires_at,
       ${preciseTimeSql('m.created_at')} as joined_key
  from memberships m join users u on u.id = m.user_id`;

/** Members by (joined time, user id). */
const MEMBERS_CURSOR = keysetCursor(CursorElements.timestamp, CursorElements.uuid);

/**
 * The rule for being `workforce` in an organization: internal in a workforce organization other than
 * it. Parameters: the user id, then the organization id.
 */
const WORKFORCE_ELIGIBILITY_SQL = `select 1 from memberships i join organizations w on w.id = i.organization_id
  where i.user_id = ?::uuid and i.type in ('admin', 'member') and w.is_workforce and w.id <> ?::uuid`;

export interface MemberFilter {
  types?: readonly MembershipType[];
  /** Normalized search words (see `searchWordsOf`), each of which must begin a word of the user. */
  words?: readonly string[];
  /** Keyset: the (joined time, user id) of the last row of the previous page. */
  after?: readonly [string, string];
  limit: number;
}

/**
 * The words that begin with `prefix`, as a range in the byte order of text_pattern_ops: from the
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

/**
 * The members page as one SQL statement, by (joined time, user id), the order of
 * memberships_org_joined_idx. Each search word is a prefix range (see `prefixRange`) on
 * member_search_words_prefix_idx (organization_id, word text_pattern_ops, user_id), written with the
 * operators of that operator class (`~>=~`, `~<~`) so that the index serves it.
 */
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
  for (const word of filter.words ?? []) {
    where.push(
      `m.user_id in (select w.user_id from member_search_words w
                      where w.organization_id = ? and w.word ~>=~ ?::text and w.word ~<~ ?::text)`,
    );
    params.push(organizationId, ...prefixRange(word));
  }
  if (filter.after) {
    where.push('(m.created_at, m.user_id) > (?::timestamptz, ?::uuid)');
    params.push(filter.after[0], filter.after[1]);
  }
  params.push(filter.limit + 1);
  return {
    sql: `${SELECT_MEMBER} where ${where.join(' and ')} order by m.created_at, m.user_id limit ?`,
    params,
  };
}

/** At most this many words of the query are searched: the longest, the most selective. */
const MAX_SEARCH_WORDS = 8;

/**
 * The query text split the way names and emails are indexed (member_search_words_of: lowercased,
 * unaccented, split on spaces and punctuation). Printable ASCII, what people type nearly always, is
 * split here: unaccent changes no ASCII character and ASCII's punctuation and spaces are every
 * character but letters and digits, so the answer is the same without a round trip. Anything else
 * goes through the database function itself, as its own statement: `unaccent` is only STABLE, and
 * inside the search query it would hide the words from the planner.
 */
export async function searchWordsOf(em: EntityManager, text: string): Promise<string[]> {
  if (/^[\x20-\x7e]*$/.test(text)) {
    const words = [
      ...new Set(
        text
          .toLowerCase()
          .split(/[^a-z0-9]+/)
          .filter(Boolean),
      ),
    ];
    return words
      .sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, MAX_SEARCH_WORDS);
  }
  const rows = await sql<{ word: string }>(
    em,
    `select word from member_search_words_of(?::text, '') as w(word) order by length(word) desc, word limit ?`,
    [text, MAX_SEARCH_WORDS],
  );
  return rows.map((row) => row.word);
}

/** How a statement reading a membership row locks it; see the callers for why each is needed. */
type RowLock = 'for update' | 'for share' | 'for key share' | '';

/** The SQL of memberships: the only writer of the table. */
@Injectable()
export class MembershipRepository {
  async page(
    em: EntityManager,
    organizationId: string,
    query: { types?: readonly MembershipType[]; q?: string; cursor?: string; limit: number },
  ): Promise<Page<MemberDto>> {
    const words = query.q ? await searchWordsOf(em, query.q) : [];
    const list = memberListSql(organizationId, {
      types: query.types,
      words,
      after: MEMBERS_CURSOR.decode(query.cursor),
      limit: query.limit,
    });
    const rows = await sql<MemberRow>(em, list.sql, list.params);
    return MEMBERS_CURSOR.page(rows, query.limit, (row) => [row.joined_key, row.user_id], toMemberDto);
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
    const [row] = await sql<{ organization_id: string }>(
      em,
      `select organization_id from memberships where user_id = ? and type in ('admin', 'member') for key share`,
      [userId],
    );
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

  /**
   * Internal in a workforce organization other than this one. Both rows are share-locked: the
   * internal membership cannot go and the organization cannot stop being a workforce one (the
   * platform's update takes the row's update lock) before this membership is committed.
   */
  async isWorkforceEligible(em: EntityManager, organizationId: string, userId: string): Promise<boolean> {
    const rows = await sql(em, `${WORKFORCE_ELIGIBILITY_SQL} for share of i, w`, [userId, organizationId]);
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

  async insert(
    em: EntityManager,
    organizationId: string,
    userId: string,
    type: MembershipType,
  ): Promise<void> {
    await sql(
      em,
      `insert into memberships (id, organization_id, user_id, type, created_at)
       values (gen_random_uuid(), ?, ?, ?, clock_timestamp())`,
      [organizationId, userId, type],
    );
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
   * A `workforce` or `external` membership, as the workforce rule decides; null when a concurrent
   * invitation inserted one first (`on conflict` leaves it as it is).
   */
  async insertForInvitation(
    em: EntityManager,
    organizationId: string,
    userId: string,
  ): Promise<MembershipType | null> {
    const [created] = await sql<{ type: MembershipType }>(
      em,
      `insert into memberships (id, organization_id, user_id, type, created_at)
       select gen_random_uuid(), ?::uuid, ?::uuid,
              case when exists (${WORKFORCE_ELIGIBILITY_SQL}) then 'workforce' else 'external' end,
              clock_timestamp()
       on conflict (organization_id, user_id) do nothing
       returning type`,
      [organizationId, userId, userId, organizationId],
    );
    return created?.type ?? null;
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
