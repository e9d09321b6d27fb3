/** The same server, another database: `postgres://u@h:p/a` with `b` gives `postgres://u@h:p/b`. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
