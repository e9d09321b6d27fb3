import 'reflect-metadata';
import { createApp } from './app.factory';
import { closeGracefully } from './common/graceful-shutdown';
import { AppConfig } from './config/app-config';
import { migrate } from './database/migrate';
import { resolveDatabase } from './database/resolve-database';
import { grantConfiguredPlatformAdmins } from './modules/auth/platform-admins';

async function bootstrap() {
  const config = AppConfig.load();
  const database = await resolveDatabase(config);
  const running: { app?: Awaited<ReturnType<typeof createApp>> } = {};
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    if (running.app) {
      running.app.getHttpAdapter().getInstance().log.info('shutting down: finishing requests in flight');
      await closeGracefully(running.app, config.SHUTDOWN_TIMEOUT_MS).catch(() => undefined);
    }
    await database.stop().catch(() => undefined);
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));

  await migrate(database.url);
  const app = await createApp(config, database.url);
  running.app = app;
  await grantConfiguredPlatformAdmins(app, config);
  await app.listen({ port: config.PORT, host: config.HOST });
  app
    .getHttpAdapter()
    .getInstance()
    .log.info(`listening on http://${config.HOST}:${config.PORT} (docs at /docs)`);
}

bootstrap().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
