import { MikroORM } from '@mikro-orm/postgresql';

/**
 * MikroORM inlines every parameter into the statement it sends, and knex prefixes that statement
 * to the message of any error it raises: a failed insert of a user would carry the password hash
 * into every log line and stack trace made of the error. The prefix is cut where the error is
 * raised, leaving PostgreSQL's own message (pg's `detail` is dropped when logged, see log-safe-error.ts).
 */
export function keepStatementValuesOutOfErrors(orm: MikroORM): void {
  orm.em
    .getConnection()
    .getKnex()
    .on('query-error', (error: unknown, query: { sql?: unknown }) => {
      if (!(error instanceof Error) || typeof query?.sql !== 'string') return;
      const prefix = `${query.sql} - `;
      if (error.message.startsWith(prefix)) error.message = error.message.slice(prefix.length);
    });
}
