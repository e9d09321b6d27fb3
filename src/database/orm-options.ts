import { join } from 'node:path';
import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, PostgreSqlDriver } from '@mikro-orm/postgresql';

/** Committed migrations live in src/migrations; from dist the compiled copies are used. */
const migrationsDir = join(__dirname, '..', 'migrations');

/**
 * Where the features keep their entities. The app registers them through the module system
 * (`MikroOrmModule.forFeature` in each feature module); tools that run without the app (migrations,
 * MikroORM's CLI) find the same files by this convention. A test holds the two equal.
 */
export const ENTITY_FILES = join(__dirname, '..', 'modules', '*', 'entities', '*.entity.{js,ts}');

/** The app's options: entities come from the feature modules. */
export function appOrmOptions(clientUrl: string) {
  return { ...ormOptions(clientUrl), entities: [], entitiesTs: [], autoLoadEntities: true };
}

/** Options for tools that run without the app: entities found by the file convention. */
export function ormOptions(clientUrl: string, options: { debug?: boolean } = {}) {
  return defineConfig({
    driver: PostgreSqlDriver,
    clientUrl,
    entities: [ENTITY_FILES],
    entitiesTs: [ENTITY_FILES],
    extensions: [Migrator],
    forceUtcTimezone: true,
    debug: options.debug ?? false,
    allowGlobalContext: false,
    pool: { min: 0, max: 10 },
    migrations: {
      path: migrationsDir,
      pathTs: migrationsDir,
      glob: '!(*.d).{js,ts}',
      transactional: true,
      silent: true,
      allOrNothing: true,
      snapshot: true,
      snapshotName: '.snapshot-orgs',
      emit: 'ts',
      fileName: (timestamp: string, name?: string) => `Migration${timestamp}${name ? '_' + name : ''}`,
    },
  });
}
