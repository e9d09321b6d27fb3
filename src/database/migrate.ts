import { MikroORM } from '@mikro-orm/postgresql';
import { ormOptions } from './orm-options';

/** Applies the committed migrations that the database has not seen yet. */
export async function migrate(databaseUrl: string): Promise<void> {
  const orm = await MikroORM.init(ormOptions(databaseUrl));
  try {
    await orm.getMigrator().up();
  } finally {
    await orm.close(true);
  }
}
