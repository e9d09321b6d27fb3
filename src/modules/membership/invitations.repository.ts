import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { CursorElements, keysetCursor, Page } from '../../common/pagination';
import { preciseTimeSql } from '../../common/keyset-time';
import { isoTime } from '../../common/sql';
import { sql } from '../../database/sql';
import type { SqlFragment } from '../../policy/sql-filter';
import type { MembershipType } from '../../policy/vocabulary';
import { InvitationDto } from './dto/invitation.dto';

/** Newest first: (created_at, id) descending. */
const INVITATIONS_CURSOR = keysetCursor(CursorElements.timestamp, CursorElements.uuid);

interface InvitationRow {
  id: string;
  email: string;
  type: MembershipType;
  invited_by_id: string | null;
  created_at: Date | string;
  expires_at: Date | string;
  created_key: string;
}

const SELECT_INVITATION = `
  select i.id, u.email, m.type, i.invited_by_id, i.created_at, i.expires_at, ${preciseTimeSql('i.created_at')} as created_key
    from invitations i
    join users u on u.id = i.user_id
    join memberships m on m.organization_id = i.organization_id and m.user_id = i.user_id`;

const toInvitationDto = (row: InvitationRow): InvitationDto => ({
  id: row.id,
  email: row.email,
  type: row.type,
  invitedBy: row.invited_by_id,
  createdAt: isoTime(row.created_at),
  expiresAt: isoTime(row.expires_at),
});

/** What an invitation mail names: the organization and who invited. */
export interface InvitationMailFacts {
  id: string;
  email: string;
  organizationName: string;
  inviterName: string | null;
  inviterEmail: string | null;
  expiresAt: Date;
}

/** A pending invitation, locked. */
export interface LockedInvitation {
  id: string;
  organizationId: string;
  userId: string;
  expired: boolean;
}

/** The SQL of invitations (the membership module is the table's only writer). */
@Injectable()
export class InvitationsRepository {
  /**
   * The invitation of this invited user to this organization, created or renewed (a newer
   * invitation holds from now, by the newer inviter).
   */
  async upsert(
    em: EntityManager,
    input: { organizationId: string; userId: string; invitedBy: string | null; ttlSeconds: number },
  ): Promise<InvitationMailFacts> {
    const upsert = upsertSql(
      {
        sql: '(select ?::uuid as organization_id, ?::uuid as user_id) given',
        params: [input.organizationId, input.userId],
      },
      input.invitedBy,
      input.ttlSeconds,
    );
    const [row] = await sql<InvitationMailFactsRow>(
      em,
      `with saved as (${upsert.sql}) ${MAIL_FACTS_FROM('saved', 'users')}`,
      upsert.params,
    );
    return toMailFacts(row);
  }

  /** Sent again: it holds from now. */
  async renew(em: EntityManager, id: string, ttlSeconds: number): Promise<InvitationMailFacts> {
    const [row] = await sql<InvitationMailFactsRow>(
      em,
      `with saved as (
         update invitations set sent_at = clock_timestamp(), expires_at = clock_timestamp() + make_interval(secs => ?)
          where id = ?
         returning id, organization_id, user_id, invited_by_id, expires_at)
       ${MAIL_FACTS_FROM('saved', 'users')}`,
      [ttlSeconds, id],
    );
    return toMailFacts(row);
  }

  async page(
    em: EntityManager,
    organizationId: string,
    query: { cursor?: string; limit: number },
  ): Promise<Page<InvitationDto>> {
    const after = INVITATIONS_CURSOR.decode(query.cursor);
    const rows = await sql<InvitationRow>(
      em,
      `${SELECT_INVITATION}
        where i.organization_id = ?
          ${after ? 'and (i.created_at, i.id) < (?::timestamptz, ?::uuid)' : ''}
        order by i.created_at desc, i.id desc
        ${INVITATIONS_CURSOR.limitSql(query.limit)}`,
      [organizationId, ...(after ?? [])],
    );
    return INVITATIONS_CURSOR.page(rows, query.limit, (row) => [row.created_key, row.id], toInvitationDto);
  }

  /** The organization's invitation, locked `for update`; undefined when it has none by that id. */
  async lockOne(
    em: EntityManager,
    organizationId: string,
    id: string,
  ): Promise<LockedInvitation | undefined> {
    const [row] = await sql<LockedInvitationRow>(
      em,
      `select id, organization_id, user_id, expires_at <= now() as expired
         from invitations where organization_id = ? and id = ? for update`,
      [organizationId, id],
    );
    return row && toLocked(row);
  }

  /** Every pending invitation of the user, locked `for update` (in one order, against deadlocks). */
  async lockAllOf(em: EntityManager, userId: string): Promise<LockedInvitation[]> {
    const rows = await sql<LockedInvitationRow>(
      em,
      `select id, organization_id, user_id, expires_at <= now() as expired
         from invitations where user_id = ? order by id for update`,
      [userId],
    );
    return rows.map(toLocked);
  }

  async delete(em: EntityManager, id: string): Promise<void> {
    await sql(em, `delete from invitations where id = ?`, [id]);
  }

  /** What an invitation mail about no organization names: who invited. */
  async inviter(em: EntityManager, userId: string): Promise<{ name: string; email: string } | undefined> {
    const [row] = await sql<{ name: string; email: string }>(
      em,
      `select name, email from users where id = ?`,
      [userId],
    );
    return row;
  }
}

/**
 * The invitation of each (organization_id, user_id) row of `from` (an invited user), created or
 * renewed (a newer invitation holds from now, by the newer inviter), as a part of a statement.
 * Returns the columns `MAIL_FACTS_FROM` reads.
 */
export function upsertSql(from: SqlFragment, invitedBy: string | null, ttlSeconds: number): SqlFragment {
  return {
    sql: `insert into invitations (id, created_at, organization_id, user_id, invited_by_id, sent_at, expires_at)
          select gen_random_uuid(), clock_timestamp(), organization_id, user_id, ?::uuid, clock_timestamp(),
                 clock_timestamp() + make_interval(secs => ?::int)
            from ${from.sql}
          on conflict (organization_id, user_id) do update
            set invited_by_id = coalesce(excluded.invited_by_id, invitations.invited_by_id),
                sent_at = excluded.sent_at, expires_at = excluded.expires_at
          returning id, organization_id, user_id, invited_by_id, expires_at`,
    params: [invitedBy, ttlSeconds, ...from.params],
  };
}

export interface InvitationMailFactsRow {
  id: string;
  email: string;
  organization_name: string;
  inviter_name: string | null;
  inviter_email: string | null;
  expires_at: Date | string;
}

/**
 * The mail facts of the invitations `table` returned; `users` is where their users' emails are read
 * (a user inserted by the same statement is not in `users` for it, but in what the insert returned).
 */
export const MAIL_FACTS_FROM = (table: string, users: string) => `
  select s.id, u.email, o.name as organization_name, inviter.name as inviter_name,
         inviter.email as inviter_email, s.expires_at
    from ${table} s
    join ${users} u on u.id = s.user_id
    join organizations o on o.id = s.organization_id
    left join users inviter on inviter.id = s.invited_by_id`;

export const toMailFacts = (row: InvitationMailFactsRow): InvitationMailFacts => ({
  id: row.id,
  email: row.email,
  organizationName: row.organization_name,
  inviterName: row.inviter_name,
  inviterEmail: row.inviter_email,
  expiresAt: new Date(row.expires_at),
});

interface LockedInvitationRow {
  id: string;
  organization_id: string;
  user_id: string;
  expired: boolean;
}

const toLocked = (row: LockedInvitationRow): LockedInvitation => ({
  id: row.id,
  organizationId: row.organization_id,
  userId: row.user_id,
  expired: row.expired,
});
