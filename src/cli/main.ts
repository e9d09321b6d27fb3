import 'reflect-metadata';
import { writeFile } from 'node:fs/promises';
import { MikroORM } from '@mikro-orm/postgresql';
import { createApp, buildOpenApiDocument } from '../app.factory';
import { AppConfig } from '../config/app-config';
import { migrate } from '../database/migrate';
import { ormOptions } from '../database/orm-options';
import { UsersRepository } from '../modules/users/users.repository';
import { resolveDatabase } from '../database/resolve-database';
import { sortKeysDeep } from '../common/json-document';

const USAGE = `usage: npm run cli -- <command>
  platform-admin grant <email>   make a user a platform admin (creates an invited user if unknown)
  platform-admin revoke <email>
  migration up                   apply pending migrations
  migration create [name]        write a migration for the difference between entities and schema
  migration check                fail when entities and migrations disagree
  openapi [file]                 write the OpenAPI document (default openapi/openapi.json)`;

async function withDatabase<T>(run: (url: string) => Promise<T>): Promise<T> {
  const database = await resolveDatabase(AppConfig.load());
  try {
    return await run(database.url);
  } finally {
    await database.stop();
  }
}

async function withOrm<T>(
  url: string,
  run: (orm: MikroORM) => Promise<T>,
  options: { compareWithDatabase?: boolean } = {},
): Promise<T> {
  const defaults = ormOptions(url);
  // Without the snapshot, the migrator compares the entities with the schema the migrations built,
  // which also catches a migration whose SQL does not match its entities.
  const migrations = { ...defaults.migrations, snapshot: !options.compareWithDatabase };
  const orm = await MikroORM.init({ ...defaults, migrations });
  try {
    return await run(orm);
  } finally {
    await orm.close(true);
  }
}

async function platformAdmin(action: string | undefined, email: string | undefined): Promise<void> {
  if (!email || (action !== 'grant' && action !== 'revoke')) throw new Error(USAGE);
  const normalized = email.trim().toLowerCase();
  await withDatabase(async (url) => {
    await migrate(url);
    await withOrm(url, async (orm) => {
      await new UsersRepository().setPlatformAdmin(orm.em.fork(), normalized, action === 'grant');
      console.log(`${normalized}: platform admin ${action === 'grant' ? 'granted' : 'revoked'}`);
    });
  });
}

async function migration(action: string | undefined, name: string | undefined): Promise<void> {
  await withDatabase(async (url) => {
    if (action === 'up') {
      await migrate(url); // under the advisory lock, like an instance's start
      console.log('migrations applied');
      return;
    }
    const options = { compareWithDatabase: action === 'check' };
    await withOrm(
      url,
      async (orm) => {
        const migrator = orm.getMigrator();
        if (action === 'create') {
          await migrator.up();
          const result = await migrator.createMigration(undefined, false, false, name);
          console.log(result.fileName ? `created ${result.fileName}` : 'no changes: nothing to create');
        } else if (action === 'check') {
          await migrator.up();
          if (await migrator.checkMigrationNeeded()) {
            const diff = await orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false });
            console.error(`entities and migrations disagree; a migration is needed:\n${diff}`);
            process.exitCode = 1;
          } else {
            console.log('entities and migrations agree');
          }
        } else {
          throw new Error(USAGE);
        }
      },
      options,
    );
  });
}

/** The document from the code alone: the app is built in preview mode, with no database. */
async function openapi(file = 'openapi/openapi.json'): Promise<void> {
  const config = AppConfig.load({ ...process.env, LOG_LEVEL: 'silent' });
  const app = await createApp(config, 'postgres://preview@127.0.0.1:1/preview', { preview: true });
  const document = sortKeysDeep(buildOpenApiDocument(app));
  await writeFile(file, JSON.stringify(document, null, 2) + '\n');
  console.log(`wrote ${file}`);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  if (command === 'platform-admin') return platformAdmin(args[0], args[1]);
  if (command === 'migration') return migration(args[0], args[1]);
  if (command === 'openapi') return openapi(args[0]);
  throw new Error(USAGE);
}

main(process.argv.slice(2)).then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
