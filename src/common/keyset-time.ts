import { CommonErrors } from './app-error';

/**
 * Timestamps in keyset cursors at the database's full (microsecond) precision: a cursor rounded to
 * JavaScript's milliseconds would repeat or skip rows written within the same millisecond.
 * `preciseTimeSql('m.created_at')` selects the key; `preciseTime(value)` checks one read from a cursor.
 */
export const preciseTimeSql = (column: string) =>
  `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const PRECISE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const invalidCursor = () =>
  CommonErrors.validation('Invalid cursor', [{ path: 'cursor', message: 'cursor is not valid' }]);

/** A (time, uuid) keyset read back from a cursor, checked so that a forged cursor is a 400, never a SQL error. */
export function timeAndIdKey(key: (string | number)[] | undefined): [string, string] | undefined {
  if (!key) return undefined;
  const [time, id] = key;
  if (typeof time !== 'string' || !PRECISE_TIME.test(time) || typeof id !== 'string' || !UUID.test(id))
    throw invalidCursor();
  return [time, id];
}
