import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { sql } from '../../database/sql';

/** The SQL of users that the unit of work cannot say: inserts settled by the unique email, row locks, bulk flags. */
@Injectable()
export class UsersRepository {
  /**
   * An `invited` user (no password) with this email, unless one exists: the unique email index decides.
   * True when this call created it.
   */
  async insertInvited(em: EntityManager, email: string): Promise<boolean> {
    const created = await sql(
      em,
      `insert into users (id, email, name, created_at) values (gen_random_uuid(), ?, '', now()) on conflict (email) do nothing returning id`,
      [email],
    );
    return created.length > 0;
  }

  async lock(em: EntityManager, userId: string): Promise<void> {
    await sql(em, 'select 1 from users where id = ? for no key update', [userId]);
  }

  /** These users, when their email is verified, become platform admins. */
  async grantPlatformAdminsVerified(em: EntityManager, emails: readonly string[]): Promise<void> {
    await sql(
      em,
      `update users set is_platform_admin = true where email = any(?::text[]) and email_verified_at is not null and not is_platform_admin`,
      [emails],
    );
  }

  /** The operator's grant (creating an invited user for an unknown email) or revocation. */
  async setPlatformAdmin(em: EntityManager, email: string, isPlatformAdmin: boolean): Promise<void> {
    if (isPlatformAdmin) {
      await sql(
        em,
        `insert into users (id, email, name, is_platform_admin, created_at) values (gen_random_uuid(), ?, '', true, now())
         on conflict (email) do update set is_platform_admin = true`,
        [email],
      );
    } else {
      await sql(em, 'update users set is_platform_admin = false where email = ?', [email]);
    }
  }
}
