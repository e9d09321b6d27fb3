import { EntityManager } from '@mikro-orm/postgresql';
import { preciseTimeSql } from '../../common/keyset-time';
import { CursorElements, keysetCursor } from '../../common/pagination';
import { escapeLike, isoTime } from '../../common/sql';
import { MemberDto } from './dto/member.dto';
import { MembershipType } from '../../policy/vocabulary';

export interface MemberRow {
  user_id: string;
  email: string;
  name: string;
  type: MembershipType;
  invited: boolean;
  created_at: Date | string;
  /** The keyset's time, at full precision. */
  joined_key: string;
}

export const toMemberDto = (row: MemberRow): MemberDto => ({
  userId: row.user_id,
  email: row.email,
  name: row.name,
  type: row.type,
  status: row.invited ? 'invited' : 'active',
  joinedAt: isoTime(row.created_at),
});

const SELECT_MEMBER = `select m.user_id, u.email, u.name, m.type, (u.password_hash is null) as invited, m.created_at,
       ${preciseTimeSql('m.created_at')} as joined_key
  from memberships m join users u on u.id = m.user_id`;

/** Members by (joined time, user id). */
export const MEMBERS_CURSOR = keysetCursor(CursorElements.timestamp, CursorElements.uuid);

export interface MemberFilter {
  types?: readonly MembershipType[];
  /** Normalized search words (see `searchWordsOf`), each of which must begin a word of the user. */
  words?: readonly string[];
  /** Keyset: the (joined time, user id) of the last row of the previous page. */
  after?: readonly [string, string];
  limit: number;
}

/**
 * The members page as one SQL statement, by (joined time, user id), the order of
 * memberships_org_joined_idx. Each search word is a prefix range on member_search_words_prefix_idx
 * (organization_id, word text_pattern_ops, user_id): the pattern is a constant ('jo%'), which is
 * what lets the planner turn LIKE into an index range.
 */
export function memberListSql(
  organizationId: string,
  filter: MemberFilter,
): { sql: string; params: unknown[] } {
  const where = ['m.organization_id = ?'];
  const params: unknown[] = [organizationId];
  if (filter.types && filter.types.length > 0) {
    where.push('m.type in (?)');
    params.push([...filter.types]);
  }
  for (const word of filter.words ?? []) {
    where.push(
      `m.user_id in (select w.user_id from member_search_words w where w.organization_id = ? and w.word like ?)`,
    );
    params.push(organizationId, `${escapeLike(word)}%`);
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

/**
 * The user's text split into words exactly as the index's triggers split names and emails (the same
 * database function: lowercased, unaccented, cut on anything not a letter or digit). Done as its own
 * statement because `unaccent` is only STABLE: inside the search query it would hide the pattern from
 * the planner and turn the index range into a scan. The longest eight words are kept: more narrow
 * nothing down in practice and each one is a subquery.
 */
/** At most this many words of the query are searched: the longest, the most selective. */
const MAX_SEARCH_WORDS = 8;

/**
 * The query text split the way names and emails are indexed (member_search_words_of: lowercased,
 * unaccented, split on spaces and punctuation). Printable ASCII, what people type nearly always, is
 * split here: unaccent changes no ASCII character and ASCII's punctuation and spaces are every
 * character but letters and digits, so the answer is the same without a round trip. Anything else
 * goes through the database function itself.
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
  const rows = await em
    .getConnection()
    .execute<{ word: string }[]>(
      `select word from member_search_words_of(?, '') as w(word) order by length(word) desc, word limit ?`,
      [text, MAX_SEARCH_WORDS],
      'all',
      em.getTransactionContext(),
    );
  return rows.map((row) => row.word);
}

export async function findMemberDto(
  em: EntityManager,
  organizationId: string,
  userId: string,
): Promise<MemberDto | undefined> {
  const [row] = await em
    .getConnection()
    .execute<MemberRow[]>(
      `${SELECT_MEMBER} where m.organization_id = ? and m.user_id = ?`,
      [organizationId, userId],
      'all',
      em.getTransactionContext(),
    );
  return row ? toMemberDto(row) : undefined;
}
