import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { OnConflict, sql } from '../../database/sql';
import type { SqlFragment } from '../../policy/sql-filter';
import type { MembershipType, ResourceKind } from '../../policy/vocabulary';
import { InvitationMailFactsRow, MAIL_FACTS_FROM } from '../membership/invitations.repository';
import { FOUND_USER_COLUMNS, FoundUserRow, insertInvitedUsersSql } from '../users/users.repository';

/** One email of `ResourceInvitationsRepository.invite`, with its resource's columns. */
export interface InviteeRow {
  title: string;
  organization_id: string | null;
  email: string;
  /** Null when a concurrent statement inserted the email's user, which this one's snapshot cannot see. */
  invitee: FoundUserRow | null;
  /** Null when there is no organization, or a concurrent invitation inserted the membership (as above). */
  organization_type: MembershipType | null;
  /** Whether the caller's `grant` part gave them something. */
  granted: boolean;
  /** The invitations upserted by the statement (the same on every row). */
  invitations: InvitationMailFactsRow[] | null;
}

/** The SQL of people given access to a resource by email (ResourceInvitations). */
@Injectable()
export class ResourceInvitationsRepository {
  /**
   * In one statement: the resource's row locked `for update` (every change to who holds what on it
   * takes this lock first); each email's user, inserted as invited when unknown; their membership
   * in the resource's organization (`memberships`, run on the CTE `given` (organization_id, user_id,
   * invited)); then the caller's `grant` part, run on the CTE `member` (resource_id, organization_id,
   * user_id, email), those who have a membership now (everyone when there is no organization),
   * which must define a CTE `granted` (user_id). No row: the resource is not there (nothing is
   * written); otherwise one row per email. With `refuse`, a user another transaction has inserted
   * fails the statement (the parts are given the same `conflicts`).
   */
  async invite(
    em: EntityManager,
    input: { kind: ResourceKind; resourceId: string; emails: readonly string[] },
    parts: { memberships: (given: string) => SqlFragment; grant: (member: string) => SqlFragment },
    conflicts: OnConflict,
  ): Promise<InviteeRow[]> {
    const memberships = parts.memberships('given');
    const grant = parts.grant('member');
    return sql<InviteeRow>(
      em,
      `with resource as (
         select id, title, organization_id from resources where id = ?::uuid and kind = ?::text for update),
       wanted as (select w.email from unnest((select ?::text[])) as w(email) where exists (select 1 from resource)),
       found as (select ${FOUND_USER_COLUMNS} from users where email in (select email from wanted)),
       new_user as (${insertInvitedUsersSql(
         'select w.email from wanted w where not exists (select 1 from found f where f.email = w.email)',
         conflicts,
       )}),
       invitee as (select * from new_user union all select * from found),
       given as (
         select r.organization_id, i.id as user_id, i.invited
           from resource r, invitee i where r.organization_id is not null),
       ${memberships.sql},
       member as (
         select r.id as resource_id, r.organization_id, i.id as user_id, i.email
           from resource r, invitee i
          where r.organization_id is null
             or exists (select 1 from current c where c.user_id = i.id)
             or exists (select 1 from created n where n.user_id = i.id)),
       ${grant.sql}
       select r.title, r.organization_id, w.email, to_jsonb(i) as invitee,
              coalesce(c.type, n.type) as organization_type,
              exists (select 1 from granted g where g.user_id = i.id) as granted,
              (select jsonb_agg(f) from (${MAIL_FACTS_FROM('invitation', 'invitee')}) f) as invitations
         from resource r
         join wanted w on true
         left join invitee i on i.email = w.email
         left join current c on c.user_id = i.id
         left join created n on n.user_id = i.id`,
      [input.resourceId, input.kind, input.emails, ...memberships.params, ...grant.params],
    );
  }
}
