/** Raw query rows carry timestamps as Postgres text: ISO-8601 UTC for the API. */
export const isoTime = (value: Date | string): string => new Date(value).toISOString();

/** A user's text inside a LIKE pattern matches literally. */
export const escapeLike = (value: string): string => value.replace(/[\\%_]/g, (c) => `\\${c}`);
