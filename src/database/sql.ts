import { createHash } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { DatabaseError } from 'pg';
import { JsonAnswer } from '../common/json-answer';
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
 * An array is sent as one PostgreSQL array: write lists as `= any(?::uuid[])`. Every `?` is a
 * parameter: write PostgreSQL's jsonb `?` operators as functions (`jsonb_exists`).
 * Where the type of a parameter is not clear from the text (`? is null`, `coalesce(?, ...)`), cast it.
 * Rows made from a bound array are written `unnest((select ?::text[]))`: PostgreSQL's custom plans see
 * a bare `unnest(?)`'s length (1 row) where its generic plan guesses 10, so the generic plan looks
 * dearer and `plan_cache_mode = auto` plans that statement again at every execution; behind a
 * subquery both guess 10, and the generic plan (the same plan) is kept.
 *
 * The statement goes to pg on a connection of knex's pool (the transaction's own, in one), not through
 * knex's query builder: a text's `$n` form and name are made once, and a statement costs the server
 * no builder, no binding pass over its text and no query events.
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
  const statement = preparedStatement(text);
  if (params.length !== statement.parameters) {
    throw new Error(`the statement has ${statement.parameters} parameters, given ${params.length}: ${text}`);
  }
  if (params.includes(undefined)) throw new Error(`a parameter is undefined: ${text}`);
  const transaction = transactionOf(em);
  if (transaction?.isCompleted()) throw new Error(`the transaction has ended: ${text}`);
  const { client } = transaction ?? routedReplica() ?? em.getConnection().getKnex();
  const connection = (await client.acquireConnection()) as PgConnection;
  try {
    const result = await connection.query<T>({
      name: options.name ?? statement.name,
      text: statement.text,
      values: params,
    });
    return result.rows;
  } finally {
    await client.releaseConnection(connection);
  }
}

/**
 * A statement that writes a route's whole answer (`KeysetCursor.answerSql`): its one row's `answer`
 * column, to send as it is.
 */
export async function sqlAnswer<T>(
  em: EntityManager,
  statement: { sql: string; params: readonly unknown[] },
): Promise<JsonAnswer<T>> {
  const [row] = await sql<{ answer: string }>(em, statement.sql, statement.params);
  return JsonAnswer.ofText(row.answer);
}

/** What sql() uses of a pg client from knex's pool. */
interface PgConnection {
  query<T>(config: { name: string; text: string; values: readonly unknown[] }): Promise<{ rows: T[] }>;
}

interface PreparedStatement {
  /** The text as PostgreSQL takes it: `$1`, `$2`, ... for the `?`s. */
  text: string;
  /** The same text, the same prepared statement on each connection. */
  name: string;
  parameters: number;
}

/** Texts come from a bounded set of shapes (see sql()); the bound only guards against a caller that breaks that rule. */
const MAX_PREPARED_TEXTS = 10_000;
const preparedStatements = new Map<string, PreparedStatement>();

function preparedStatement(text: string): PreparedStatement {
  let statement = preparedStatements.get(text);
  if (!statement) {
    let parameters = 0;
    const positional = text.replace(/\?/g, () => `$${++parameters}`);
    statement = {
      text: positional,
      name: `sql-${createHash('sha1').update(text).digest('base64url')}`,
      parameters,
    };
    if (preparedStatements.size >= MAX_PREPARED_TEXTS) preparedStatements.clear();
    preparedStatements.set(text, statement);
  }
  return statement;
}

/**
 * What an insert of a statement does with a row that another transaction already has under the same
 * unique key: `skip` leaves it (`on conflict do nothing`: the statement goes on without that row);
 * `refuse` lets the unique index fail the statement, which then writes nothing at all
 * (`isUniqueViolation`): for a statement that must be whole or not be.
 */
export type OnConflict = 'skip' | 'refuse';

/** The insert's `on conflict` clause for `target` (`(email)`, `(organization_id, user_id)`), as `conflicts` says. */
export const onConflictSql = (target: string, conflicts: OnConflict): string =>
  conflicts === 'skip' ? `on conflict ${target} do nothing` : '';

/** A statement failed on a unique index: with `refuse`, another transaction has one of its rows. */
export const isUniqueViolation = (error: unknown): boolean =>
  error instanceof DatabaseError && error.code === '23505';
