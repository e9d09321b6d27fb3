import { AppConfig } from '../config/app-config';
import { RunningPostgres, startEmbeddedPostgres } from './embedded-postgres';

/** DATABASE_URL when set; otherwise the embedded server under DATA_DIR, started now. */
export async function resolveDatabase(config: AppConfig): Promise<RunningPostgres> {
  if (config.DATABASE_URL) return { url: config.DATABASE_URL, stop: async () => undefined };
  return startEmbeddedPostgres(config.DATA_DIR);
}
