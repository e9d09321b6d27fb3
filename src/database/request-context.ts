import { AsyncLocalStorage } from 'node:async_hooks';
import { TransactionContext } from '@mikro-orm/core';
import type { EntityManager, Knex } from '@mikro-orm/postgresql';

interface RequestEntityManager {
  root: EntityManager;
  fork?: EntityManager;
}

const requests = new AsyncLocalStorage<RequestEntityManager>();

/**
 * Each request gets an entity manager of its own, as MikroORM's request context gives one, but forked
 * only when the request first uses it: a read that only runs SQL (`sql()`) never does, and a fork
 * (a unit of work, an identity map, configuration writes) cost more than the rest of such a request
 * in Node. Wired as MikroORM's `context` option, so the global entity manager resolves to it.
 */
export function runInRequestContext<T>(root: EntityManager, next: () => T): T {
  return requests.run({ root }, next);
}

/** MikroORM's `context` option: the request's entity manager, forked on first use; none outside requests. */
export function requestEntityManager(): EntityManager | undefined {
  const request = requests.getStore();
  if (!request) return undefined;
  // Forked outside the request's context, as MikroORM's RequestContext forks before entering its own:
  // the new entity manager resolves its context while it is being made.
  request.fork ??= requests.exit(() => request.root.fork({ useContext: true }));
  return request.fork;
}

/**
 * The transaction a statement through `em` belongs to, found without forking the request's entity
 * manager: the one of `em` itself (a fork, such as a `transactional` callback's), else the one
 * `em.transactional()` runs in, else the request's own (when it forked and began one).
 */
export function transactionOf(em: EntityManager): Knex.Transaction | undefined {
  if (!em.global) return em.getTransactionContext();
  const inTransaction = TransactionContext.getEntityManager(em.name);
  if (inTransaction) return inTransaction.getTransactionContext();
  const request = requests.getStore();
  return request ? request.fork?.getTransactionContext() : em.getTransactionContext();
}
