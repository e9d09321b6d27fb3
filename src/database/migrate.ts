import { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { ormOptions } from './orm-options';

/**
 * The advisory lock every migrating process takes first (an arbitrary constant, the service's own):
 * instances started together migrate one after the other, and the later ones find nothing to do.
 */
export const MIGRATION_LOCK_KEY = 7_205_114_001;

/**
 * Applies the committed migrations that the database has not seen yet, under a session advisory
 * lock held on its own connection: never two migrators at once, whatever starts them.
 */
export async function migrate(databaseUrl: string): Promise<void> {
  const lock = new Client({ connectionString: databaseUrl });
  await lock.connect();
  try {
    await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const orm = await MikroORM.init(ormOptions(databaseUrl));
    try {
      await orm.getMigrator().up();
    } finally {
      await orm.close(true);
    }
  } finally {
    // Closing the session releases the lock, also when the unlock itself cannot be sent.
    await lock.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.end().catch(() => undefined);
  }
}
