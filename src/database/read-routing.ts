import { AsyncLocalStorage } from 'node:async_hooks';
import { SetMetadata } from '@nestjs/common';
import type { Knex } from '@mikro-orm/postgresql';

/** Route metadata: the handler only reads, and may read from a replica that is far enough along. */
export const READS_FROM_REPLICA = 'readsFromReplica';

/**
 * Marks a list or search route whose statements may run on a read replica (`DATABASE_REPLICA_URLS`).
 * The replica is used only once it has replayed the caller's last write (read-routing module);
 * statements in a transaction always run on the primary.
 */
export const ReadsFromReplica = () => SetMetadata(READS_FROM_REPLICA, true);

const routing = new AsyncLocalStorage<{ replica: Knex }>();

/** Runs `work` with `sql()` statements outside transactions sent to `replica`. */
export function runOnReplica<T>(replica: Knex, work: () => T): T {
  return routing.run({ replica }, work);
}

/** The replica this request's reads were routed to, if any. */
export function routedReplica(): Knex | undefined {
  return routing.getStore()?.replica;
}
