/**
 * A timestamptz as PostgreSQL prints it in a UTC session (`2026-11-28 09:48:08.167123+00`), or in
 * json (`2026-11-28T09:48:08.167123+00:00`).
 */
const POSTGRES_UTC_TIME = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?\+00(?::00)?$/;

/**
 * Raw query rows carry timestamps as Postgres text: ISO-8601 UTC for the API, to the millisecond
 * (truncated, as Date does). PostgreSQL's own UTC form is rewritten as text: Date's parser for it
 * was a tenth of a page of fifty resources' CPU. Anything else goes through Date.
 */
export const isoTime = (value: Date | string): string => {
  const utc = typeof value === 'string' ? POSTGRES_UTC_TIME.exec(value) : null;
  if (utc) return `${utc[1]}T${utc[2]}.${(utc[3] ?? '').padEnd(3, '0').slice(0, 3)}Z`;
  return new Date(value).toISOString();
};

/** A user's text inside a LIKE pattern matches literally. */
export const escapeLike = (value: string): string => value.replace(/[\\%_]/g, (c) => `\\${c}`);
