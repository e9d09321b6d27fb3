import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AppConfig } from './src/config/app-config';
import { ormOptions } from './src/database/orm-options';
import { resolveDatabase } from './src/database/resolve-database';

/**
 * The entry point of MikroORM's own CLI (`npx mikro-orm debug`, `migration:create`, `migration:up`,
 * `schema:update --dump`...), with the options the app uses. Without DATABASE_URL the embedded
 * server under DATA_DIR is started for the command; the CLI has no hook for its end, so the server
 * is stopped when the process exits (a fast shutdown signal to the postmaster, which is synchronous).
 */
export default async () => {
  const config = AppConfig.load();
  const database = await resolveDatabase(config);
  if (!config.DATABASE_URL) {
    process.once('exit', () => {
      const pidFile = join(resolve(config.DATA_DIR), 'postgres', 'postmaster.pid');
      const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
      if (pid > 0) process.kill(pid, 'SIGINT');
    });
  }
  return ormOptions(database.url);
};
