import { MikroORM } from '@mikro-orm/postgresql';
import { INestApplication } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';

/**
 * PLATFORM_ADMIN_EMAILS: these users are platform admins once their email is verified. Those already
 * verified are granted at boot; the others at verification.
 */
export async function grantConfiguredPlatformAdmins(app: INestApplication, config: AppConfig): Promise<void> {
  if (config.PLATFORM_ADMIN_EMAILS.length === 0) return;
  const em = app.get(MikroORM).em.fork();
  await em
    .getConnection()
    .execute(
      `update users set is_platform_admin = true where email in (?) and email_verified_at is not null and not is_platform_admin`,
      [config.PLATFORM_ADMIN_EMAILS],
    );
}
