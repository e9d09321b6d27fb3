import { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { INestApplication } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { UsersRepository } from '../users/users.repository';

/**
 * PLATFORM_ADMIN_EMAILS: these users are platform admins once their email is verified. Those already
 * verified are granted at boot; the others at verification.
 */
export async function grantConfiguredPlatformAdmins(app: INestApplication, config: AppConfig): Promise<void> {
  if (config.PLATFORM_ADMIN_EMAILS.length === 0) return;
  const em = app.get(MikroORM).em.fork() as EntityManager;
  await app.get(UsersRepository).grantPlatformAdminsVerified(em, config.PLATFORM_ADMIN_EMAILS);
}
