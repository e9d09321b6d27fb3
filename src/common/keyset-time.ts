/**
 * Timestamps in keyset cursors at the database's full (microsecond) precision: a cursor rounded to
 * JavaScript's milliseconds would repeat or skip rows written within the same millisecond.
 * `preciseTimeSql('m.created_at')` selects the key; `CursorElements.timestamp` reads it back.
 */
export const preciseTimeSql = (column: string) =>
  `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * A timestamp as the API answers it (`isoTime`), written by PostgreSQL: ISO-8601 UTC to the
 * millisecond, truncated as isoTime truncates.
 */
export const isoTimeSql = (column: string) =>
  `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
