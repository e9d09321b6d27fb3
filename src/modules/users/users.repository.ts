import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { OnConflict, onConflictSql, sql } from '../../database/sql';
import { FoundUser } from './users.service';

export interface FoundUserRow {
  id: string;
  email: string;
  name: string;
  invited: boolean;
  is_service_account: boolean;
}

/** `User.status` in SQL, of the users row `alias`: invited until they prove their address. */
export const invitedSql = (alias: string) =>
  `(${alias}.password_hash is null and ${alias}.email_verified_at is null and ${alias}.service_account_organization_id is null)`;

/** A `FoundUserRow` (without `created`) of the users row, in a statement over `users` alone. */
export const FOUND_USER_COLUMNS = `id, email, name, ${invitedSql('users')} as invited,
  (service_account_organization_id is not null) as is_service_account`;

/**
 * The insert of an `invited` user (no password) for each email of `emails` (a query of an `email`
 * column) that no user has, as a part of a statement: the unique email index decides, and a user a
 * concurrent insert committed while this one waited is neither inserted nor returned (the
 * statement's snapshot cannot see it), or with `refuse` fails the statement. Returns
 * `FOUND_USER_COLUMNS` of the users inserted.
 */
export const insertInvitedUsersSql = (emails: string, conflicts: OnConflict = 'skip') =>
  `insert into users (id, email, name, created_at)
   select gen_random_uuid(), wanted.email, '', now() from (${emails}) wanted
   ${onConflictSql('(email)', conflicts)}
   returning ${FOUND_USER_COLUMNS}`;

export const toFoundUser = (row: FoundUserRow): FoundUser => ({
  id: row.id,
  email: row.email,
  name: row.name,
  status: row.invited ? 'invited' : 'active',
  isServiceAccount: row.is_service_account,
});

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

  /**
   * The users with these emails, each inserted as `invited` unless one exists, in one statement (in
   * the order of the emails). The statement's snapshot cannot see a user that a concurrent insert
   * committed while this one waited on the unique email index: those are read by a second
   * statement, which can.
   */
  async findOrInsertInvited(em: EntityManager, emails: readonly string[]): Promise<FoundUser[]> {
    const rows = await sql<FoundUserRow>(
      em,
      `with created as (${insertInvitedUsersSql('select unnest(?::text[]) as email')})
       select * from created
       union all
       select ${FOUND_USER_COLUMNS} from users where email = any(?::text[])`,
      [emails, emails],
    );
    const raced = emails.filter((email) => !rows.some((row) => row.email === email));
    if (raced.length > 0)
      rows.push(
        ...(await sql<FoundUserRow>(
          em,
          `select ${FOUND_USER_COLUMNS} from users where email = any(?::text[])`,
          [raced],
        )),
      );
    const byEmail = new Map(rows.map((row) => [row.email, toFoundUser(row)]));
    return emails.map((email) => byEmail.get(email)!);
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
