import { join } from 'node:path';
import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { requestEntityManager } from './request-context';

/** Committed migrations live in src/migrations; from dist the compiled copies are used. */
const migrationsDir = join(__dirname, '..', 'migrations');

/** Bounds on the serving pool; migrations and operator commands run without them. */
export interface ServingLimits {
  statementTimeoutMs: number;
  poolMax: number;
  acquireTimeoutMs: number;
}

/**
 * Where the features keep their entities. The app registers them through the module system
 * (`MikroOrmModule.forFeature` in each feature module); tools that run without the app (migrations,
 * MikroORM's CLI) find the same files by this convention. A test holds the two equal.
 */
export const ENTITY_FILES = join(__dirname, '..', 'modules', '*', 'entities', '*.entity.{js,ts}');

/**
 * The app's options: entities come from the feature modules, the pool is bounded, and the global
 * entity manager stands for the request's own, forked when the request first needs it (request-context.ts).
 */
export function appOrmOptions(clientUrl: string, limits: ServingLimits) {
  return {
    ...ormOptions(clientUrl, { limits }),
    entities: [],
    entitiesTs: [],
    autoLoadEntities: true,
    context: requestEntityManager,
  };
}

/** Options for tools that run without the app: entities found by the file convention. */
export function ormOptions(clientUrl: string, options: { debug?: boolean; limits?: ServingLimits } = {}) {
  const { limits } = options;
  return defineConfig({
    driver: PostgreSqlDriver,
    clientUrl,
    entities: [ENTITY_FILES],
    entitiesTs: [ENTITY_FILES],
    extensions: [Migrator],
    forceUtcTimezone: true,
    // Queries only, never 'query-params': the log must not carry the values a statement writes.
    debug: options.debug ? ['query'] : false,
    allowGlobalContext: false,
    // A request waits a bounded time for a connection, then is answered 503 (see service-unavailable.ts).
    pool: { min: 0, max: limits?.poolMax ?? 10, acquireTimeoutMillis: limits?.acquireTimeoutMs ?? 60_000 },
    driverOptions: limits
      ? {
          connection: {
            // PostgreSQL cancels any statement that runs longer (57014): no query holds a connection unbounded.
            statement_timeout: limits.statementTimeoutMs,
            // A server that accepts TCP but never answers the handshake still frees the request in time.
            connectionTimeoutMillis: limits.acquireTimeoutMs,
          },
        }
      : {},
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
