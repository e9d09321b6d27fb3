import { Type } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type as TransformType } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { CommonErrors } from './app-error';

export class PageQuery {
  /** Page size, 1 to 200. */
  // Explicit: the Swagger plugin only reads *.dto.ts files, and list routes must document their paging.
  @ApiPropertyOptional({
    type: Number,
    minimum: 1,
    maximum: 200,
    default: 50,
    description: 'Page size, 1 to 200.',
  })
  @IsOptional()
  @TransformType(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
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

/** Keyset cursors are the sort key of the last row, base64url JSON; opaque to clients. */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined, arity: number): (string | number)[] | undefined {
  if (cursor === undefined) return undefined;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(key) &&
      key.length === arity &&
      key.every((v) => typeof v === 'string' || typeof v === 'number')
    ) {
      return key;
    }
  } catch {
    // fall through: a cursor that does not decode is the client's error, not ours
  }
  throw CommonErrors.validation('Invalid cursor', [{ path: 'cursor', message: 'cursor is not valid' }]);
}

/**
 * Fetch `limit + 1` rows, return `limit` and the cursor of the last one when there were more.
 * `keyOf` gives the row's sort key, in the order the query sorts by.
 */
export function toPage<Row, Item>(
  rows: Row[],
  limit: number,
  keyOf: (row: Row) => (string | number)[],
  map: (row: Row) => Item,
): Page<Item> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  return {
    items: pageRows.map(map),
    nextCursor: hasMore ? encodeCursor(keyOf(pageRows[pageRows.length - 1])) : null,
  };
}
