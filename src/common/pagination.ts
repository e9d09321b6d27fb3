import { Type } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type as TransformType } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { CommonErrors } from './app-error';
import { isStorableText } from './storable-text';

/** The largest page a list answers. */
export const MAX_PAGE_SIZE = 200;

export class PageQuery {
  /** Page size, 1 to 200. */
  // Explicit: the Swagger plugin only reads *.dto.ts files, and list routes must document their paging.
  @ApiPropertyOptional({
    type: Number,
    minimum: 1,
    maximum: MAX_PAGE_SIZE,
    default: 50,
    description: 'Page size, 1 to 200.',
  })
  @IsOptional()
  @TransformType(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit: number = 50;

  /** Opaque cursor from the previous page's `nextCursor`. */
  @ApiPropertyOptional({
    type: String,
    maxLength: 512,
    description: "Opaque cursor from the previous page's `nextCursor`.",
  })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A Swagger-visible page class for each item type: `class MemberPage extends PageOf(MemberDto) {}`. */
export function PageOf<T>(item: Type<T>) {
  class PageOfItems implements Page<T> {
    @ApiProperty({ type: [item] })
    items: T[];

    @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` to get the next page' })
    nextCursor: string | null;
  }
  return PageOfItems;
}

/**
 * How one element of a keyset cursor is read back: the value, or undefined when the element is not
 * one. Whatever a cursor holds reaches SQL only through these, so a forged cursor is a 400 and never
 * a database error.
 */
export type CursorElement<T> = (value: unknown) => T | undefined;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A timestamp as PostgreSQL prints it (`2026-11-28 03:19:05.123456+00`) or as `preciseTimeSql`
 * does (`2026-11-28T03:19:05.123456Z`). The offset is required, so the key never depends on the
 * session's time zone. Every field is range-checked here: PostgreSQL refuses `2026-02-30` with an
 * error, not a false comparison.
 */
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?(?:Z|[+-](\d{2})(?::?(\d{2}))?)$/;

const isValidTimestamp = (value: string): boolean => {
  const match = TIMESTAMP.exec(value);
  if (!match) return false;
  const [year, month, day, hour, minute, second, offsetHours = 0, offsetMinutes = 0] = match
    .slice(1)
    .map((part) => (part === undefined ? undefined : Number(part)));
  const daysInMonth = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
  return (
    year! >= 1 &&
    month! >= 1 &&
    month! <= 12 &&
    day! >= 1 &&
    day! <= daysInMonth &&
    hour! <= 23 &&
    minute! <= 59 &&
    second! <= 59 &&
    offsetHours! <= 15 &&
    offsetMinutes! <= 59
  );
};

/** The kinds of element keyset cursors are made of. */
export const CursorElements = {
  /** A text sort key, e.g. a lowercased name. */
  text: ((value) =>
    typeof value === 'string' && isStorableText(value) ? value : undefined) as CursorElement<string>,
  uuid: ((value) =>
    typeof value === 'string' && UUID.test(value) ? value : undefined) as CursorElement<string>,
  timestamp: ((value) =>
    typeof value === 'string' && isValidTimestamp(value) ? value : undefined) as CursorElement<string>,
};

type ElementsOf<Key extends unknown[]> = { [I in keyof Key]: CursorElement<Key[I]> };

const invalidCursor = () =>
  CommonErrors.validation('Invalid cursor', [{ path: 'cursor', message: 'cursor is not valid' }]);

/**
 * The cursor of one list: its sort key's elements, declared once next to the list's query. Cursors
 * are the sort key of a page's last row as base64url JSON, opaque to clients.
 */
export class KeysetCursor<Key extends unknown[]> {
  constructor(private readonly elements: ElementsOf<Key>) {}

  /** The key of the row to continue after; undefined without a cursor; a 400 for any other cursor. */
  decode(cursor: string | undefined): Key | undefined {
    if (cursor === undefined) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    } catch {
      throw invalidCursor();
    }
    if (!Array.isArray(parsed) || parsed.length !== this.elements.length) throw invalidCursor();
    const key = this.elements.map((read, index) => read(parsed[index]));
    if (key.some((value) => value === undefined)) throw invalidCursor();
    return key as Key;
  }

  /**
   * The `limit` clause of a page's statement: `limit + 1` rows (one more tells that a next page
   * exists), written into the text rather than bound. In a generic plan PostgreSQL takes a bound
   * limit for a tenth of the rows, so every generic plan of a keyset list looks a thousand times
   * dearer than it is, `plan_cache_mode = auto` never picks it, and the statement is planned again
   * at every execution (about 1 ms for the project list). A page size is a validated integer of
   * 1 to MAX_PAGE_SIZE, so at most that many texts per list.
   */
  limitSql(limit: number): string {
    return `limit ${pageSize(limit) + 1}`;
  }

  /**
   * A statement answering the page as JSON text (`JsonAnswer`), written by PostgreSQL: one row whose
   * `answer` is `{"items":[...],"nextCursor":...}`. `rowsSql` gives at most `limit + 1` rows (see
   * `limitSql`), read as `p`: `itemSql` is a row's item (json, over `p`), `orderBy` the page's order
   * and `keySql` the sort key's elements (over `p`), of which the last item's make the cursor, the
   * same text as `encode` makes. So the page is never parsed into objects and serialized again.
   */
  answerSql(page: { rowsSql: string; orderBy: string; itemSql: string; keySql: string[]; limit: number }): string {
    if (page.keySql.length !== this.elements.length) {
      throw new Error(`a cursor of ${this.elements.length} elements, given ${page.keySql.length}`);
    }
    const limit = pageSize(page.limit);
    const keys = page.keySql.map((_, index) => `q.key${index}`);
    // encode's base64url of the key's JSON: PostgreSQL's base64 breaks lines and pads, which translate drops.
    const keyJson = `'[' || ${keys.map((key) => `to_json(${key})::text`).join(` || ',' || `)} || ']'`;
    const cursor = `translate(encode(convert_to(${keyJson}, 'UTF8'), 'base64'), E'+/=\\n', '-_')`;
    // The first `limit` rows are the items, compact as compactJsonArraySql writes arrays; one more means a
    // next page, whose cursor is the key of the last item.
    return `select concat('{"items":[', string_agg(q.item::text, ',' order by q.n) filter (where q.n <= ${limit}),
                   '],"nextCursor":',
                   case when count(*) > ${limit} then to_json(max(${cursor}) filter (where q.n = ${limit}))::text else 'null' end,
                   '}') as answer
              from (select row_number() over (order by ${page.orderBy}) as n, ${page.itemSql} as item,
                           ${page.keySql.map((element, index) => `${element} as key${index}`).join(', ')}
                      from (${page.rowsSql}) p) q`;
  }

  encode(key: Key): string {
    return Buffer.from(JSON.stringify(key)).toString('base64url');
  }

  /**
   * Rows fetched with `limit + 1`: the first `limit` as items, and the cursor of the last one when
   * there were more. `keyOf` gives a row's sort key, in the order the query sorts by.
   */
  page<Row, Item>(rows: Row[], limit: number, keyOf: (row: Row) => Key, map: (row: Row) => Item): Page<Item> {
    const hasMore = rows.length > limit;
    const pageRows = hasMore ? rows.slice(0, limit) : rows;
    return {
      items: pageRows.map(map),
      nextCursor: hasMore ? this.encode(keyOf(pageRows[pageRows.length - 1])) : null,
    };
  }
}

/** A page size as lists take it (validated by PageQuery): written into statements, so checked again here. */
function pageSize(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new Error(`a page size must be an integer of 1 to ${MAX_PAGE_SIZE}, not ${limit}`);
  }
  return limit;
}

/** `keysetCursor(CursorElements.text, CursorElements.uuid)`: a list sorted by (name, id). */
export const keysetCursor = <Key extends unknown[]>(...elements: ElementsOf<Key>) =>
  new KeysetCursor<Key>(elements);
