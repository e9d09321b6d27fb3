import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { sql } from '../../database/sql';

/**
 * Finds the caller of an identity provider's token through their link, for the policy guard's scope
 * query: one index lookup on (issuer, subject), joined to the user.
 */
export const CALLER_BY_IDENTITY_SQL = `select u.id, u.is_platform_admin from user_identities i join users u on u.id = i.user_id
  where i.issuer = ?::text and i.subject = ?::text`;

/** The SQL of `user_identities`, the links between identity providers' people and users. */
@Injectable()
export class UserIdentitiesRepository {
  async userOf(em: EntityManager, issuer: string, subject: string): Promise<string | undefined> {
    const [row] = await sql<{ user_id: string }>(
      em,
      'select user_id from user_identities where issuer = ? and subject = ?',
      [issuer, subject],
      { name: 'user-identity-of' },
    );
    return row?.user_id;
  }

  /**
   * Links the subject to the user unless either is linked already for this issuer (the unique keys
   * decide, also between two requests at once). True when this call linked them.
   */
  async link(em: EntityManager, issuer: string, subject: string, userId: string): Promise<boolean> {
    const linked = await sql(
      em,
      `insert into user_identities (id, user_id, issuer, subject, created_at) values (gen_random_uuid(), ?, ?, ?, now())
       on conflict do nothing returning id`,
      [userId, issuer, subject],
    );
    return linked.length > 0;
  }
}
