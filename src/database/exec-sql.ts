import { EntityManager } from '@mikro-orm/postgresql';

/** Raw SQL in the entity manager's transaction, when it has one: rows as the driver returns them. */
export function execSql<T = unknown>(em: EntityManager, sql: string, params: unknown[] = []): Promise<T[]> {
  return em.getConnection().execute<T[]>(sql, params, 'all', em.getTransactionContext());
}
