import { createHash } from 'node:crypto';
import { EntityManager, Knex } from '@mikro-orm/postgresql';
import { routedReplica } from './read-routing';
import { transactionOf } from './request-context';

/**
 * Runs one SQL statement in the entity manager's transaction (when it has one) and returns its rows.
 *
 * Parameters are sent bound (`?` becomes `$1`, `$2`, ...), never written into the text: MikroORM's own
 * `execute` inlines them, so every call is a new text that PostgreSQL parses and plans anew. Every
 * statement is a named prepared statement, named after its text (or `name`): each connection parses
 * it once, and PostgreSQL may keep one generic plan for it instead of planning every execution (0.7
 * to 1.5 ms of the autocomplete's 2 ms). That is why texts must come from a bounded set of shapes,
 * values bound: a text with a value written into it would be prepared again for every value. The one
 * value written in is a page size (`KeysetCursor.limitSql`, at most 200 of them): a generic plan needs it.
 * An array is sent as one PostgreSQL array: write lists as `= any(?::uuid[])`.
 * Where the type of a parameter is not clear from the text (`? is null`, `coalesce(?, ...)`), cast it.
 *
 * On a route marked `@ReadsFromReplica()` whose caller a replica has caught up with, a statement
 * outside a transaction runs on that replica (read-routing.ts); in a transaction, on the primary.
 */
export async function sql<T = Record<string, unknown>>(
  em: EntityManager,
  text: string,
  params: readonly unknown[] = [],
  options: { name?: string } = {},
): Promise<T[]> {
  const transaction = transactionOf(em);
  const knex = (!transaction && routedReplica()) || em.getConnection().getKnex();
  const query = knex.raw(text, params as readonly Knex.RawBinding[]);
  if (transaction) void query.transacting(transaction);
  void query.options({ name: options.name ?? statementName(text) });
  const result = (await query) as { rows: T[] };
  return result.rows;
}

/** A statement's name from its text: the same text, the same prepared statement on each connection. */
function statementName(text: string): string {
  return `sql-${createHash('sha1').update(text).digest('base64url')}`;
}
