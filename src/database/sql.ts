import { createHash } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
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
  options: { name?: string; plan?: 'generic' } = {},
): Promise<T[]> {
  const statement = preparedStatement(text);
  if (params.length !== statement.parameters) {
    throw new Error(`the statement has ${statement.parameters} parameters, given ${params.length}: ${text}`);
  }
  if (params.includes(undefined)) throw new Error(`a parameter is undefined: ${text}`);
  const transaction = transactionOf(em);
  if (transaction?.isCompleted()) throw new Error(`the transaction has ended: ${text}`);
  const { client } = transaction ?? routedReplica() ?? em.getConnection().getKnex();
  if (options.plan === 'generic' && !transaction) throw new Error(`a generic plan is set per transaction: ${text}`);
  const connection = (await client.acquireConnection()) as PgConnection;
  try {
    if (options.plan === 'generic') await connection.query(FORCE_GENERIC_PLAN);
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
 * `plan: 'generic'`: for a statement whose best plan does not depend on its values but which
 * PostgreSQL's `plan_cache_mode = auto` plans again at every execution, because its generic plan's
 * estimate looks dearer than the custom ones (a bound array taken for many rows, say). The invite's
 * statement was planned at each call, 2.1 ms of planning for 3.7 ms of execution. The setting holds
 * for the rest of the transaction (`set local`); it costs a round trip, far less than the planning.
 */
const FORCE_GENERIC_PLAN = {
  name: 'sql-force-generic-plan',
  text: 'set local plan_cache_mode = force_generic_plan',
  values: [],
};

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
