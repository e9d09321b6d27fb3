import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { deleteRowsOfUser } from '../../common/tenant-rows';
import { ResourceKind, ResourceRole } from '../../policy/vocabulary';
import { SoleAdminResourceDto } from '../membership/dto/member.dto';
import { HandedOver } from '../membership/organization-rights';
import { OnConflict, onConflictSql, sql } from '../../database/sql';
import type { SqlFragment } from '../../policy/sql-filter';
import { Collaborators } from './dto/collaborator.dto';

/** The SQL of who holds a role on a resource: collaborators (people) and resource groups. */
@Injectable()
export class CollaboratorsRepository {
  async list(em: EntityManager, kind: ResourceKind, id: string): Promise<Collaborators> {
    const [users, groups] = await Promise.all([
      sql<{ user_id: string; email: string; name: string; role: ResourceRole; expires_at: Date | null }>(
        em,
        `select c.user_id, u.email, u.name, c.role, c.expires_at
           from collaborators c join users u on u.id = c.user_id join resources r on r.id = c.resource_id
          where c.resource_id = ? and r.kind = ?
          order by u.email`,
        [id, kind],
      ),
      sql<{ group_id: string; name: string; role: ResourceRole }>(
        em,
        `select rg.group_id, g.name, rg.role
           from resource_groups rg join groups g on g.id = rg.group_id join resources r on r.id = rg.resource_id
          where rg.resource_id = ? and r.kind = ?
          order by lower(g.name), g.id`,
        [id, kind],
      ),
    ]);
    return {
      users: users.map((u) => ({
        userId: u.user_id,
        email: u.email,
        name: u.name,
        role: u.role,
        expiresAt: u.expires_at ? new Date(u.expires_at).toISOString() : null,
      })),
      groups: groups.map((g) => ({ groupId: g.group_id, name: g.name, role: g.role })),
    };
  }

  /**
   * The people of `member` (resource_id, organization_id, user_id, email) with no role of their own
   * on the resource yet get the role, as the grant part of a resource invitation
   * (`ResourceInvitations.inviteAll`): the CTE `granted` (user_id), those added; those who already
   * collaborate are left as they are (with `refuse`, they fail the statement). `audit` runs on `added`
   * (user_id, email, organization_id).
   */
  insertMissingSql(
    member: string,
    input: { role: ResourceRole; expiresAt: Date | null },
    audit: (added: string) => SqlFragment,
    conflicts: OnConflict = 'skip',
  ): SqlFragment {
    const auditSql = audit('added');
    return {
      sql: `granted as (
         insert into collaborators (id, resource_id, user_id, role, organization_id, expires_at, created_at)
         select gen_random_uuid(), m.resource_id, m.user_id, ?::text, m.organization_id, ?::timestamptz, now()
           from ${member} m
         ${onConflictSql('(resource_id, user_id)', conflicts)}
         returning user_id),
       added as (select g.user_id, m.email, m.organization_id from granted g join ${member} m on m.user_id = g.user_id),
       collaborator_audit as (${auditSql.sql})`,
      params: [input.role, input.expiresAt, ...auditSql.params],
    };
  }

  /**
   * Resources of the organization where the user is the only direct `admin` collaborator. Admin
   * through a group does not count: a resource must keep a direct admin (see the
   * collaborators_keep_an_admin trigger).
   */
  async soleAdminOf(
    em: EntityManager,
    organizationId: string,
    userId: string,
  ): Promise<SoleAdminResourceDto[]> {
    const rows = await sql<{ id: string; kind: ResourceKind; title: string }>(
      em,
      `select r.id, r.kind, r.title
         from collaborators c
         join resources r on r.id = c.resource_id
        where c.user_id = ? and c.role = 'admin' and r.organization_id = ?
          and not exists (select 1 from collaborators other
                           where other.resource_id = r.id and other.role = 'admin' and other.user_id <> c.user_id)
        order by r.kind, lower(r.title), r.id`,
      [userId, organizationId],
    );
    return rows.map((row) => ({ resourceType: row.kind, id: row.id, title: row.title }));
  }

  /** The replacement becomes admin of each resource: a new collaborator row, or their role raised. */
  async handOver(
    em: EntityManager,
    resources: readonly SoleAdminResourceDto[],
    replacementUserId: string,
  ): Promise<HandedOver[]> {
    if (resources.length === 0) return [];
    const ids = resources.map((r) => r.id);
    return sql<HandedOver>(
      em,
      `with previous as (
         select resource_id, role from collaborators where user_id = ?::uuid and resource_id = any(?::uuid[])
       )
       insert into collaborators (id, resource_id, user_id, role, organization_id, created_at)
       select gen_random_uuid(), r.id, ?::uuid, 'admin', r.organization_id, now() from resources r where r.id = any(?::uuid[])
       on conflict (resource_id, user_id) do update set role = 'admin'
       returning resource_id as "resourceId",
                 (select p.role from previous p where p.resource_id = collaborators.resource_id) as "previousRole"`,
      [replacementUserId, ids, replacementUserId, ids],
    );
  }

  /** Deletes the user's collaborator roles on the organization's resources; how many went. */
  deleteAllOf(em: EntityManager, organizationId: string, userId: string): Promise<number> {
    return deleteRowsOfUser(em, 'collaborators', organizationId, userId);
  }

  /**
   * Collaborator grants whose expiry has passed, oldest first, locked (`skip locked`: instances share
   * the sweep). An admin's is taken only while another admin in force remains: a resource keeps an
   * admin (the deferred LAST_ADMIN trigger would refuse the whole sweep at commit).
   */
  async dueToExpire(em: EntityManager, limit: number): Promise<ExpiringGrant[]> {
    return sql<ExpiringGrant>(
      em,
      `select c.id, c.resource_id, r.kind, r.title, c.user_id, u.email, c.role, c.organization_id, c.expires_at
         from collaborators c join resources r on r.id = c.resource_id join users u on u.id = c.user_id
        where c.expires_at <= now()
          and (c.role <> 'admin' or exists (
                select 1 from collaborators other
                 where other.resource_id = c.resource_id and other.role = 'admin' and other.id <> c.id
                   and (other.expires_at is null or other.expires_at > now())))
        order by c.expires_at limit ? for update of c skip locked`,
      [limit],
    );
  }

  async deleteGrant(em: EntityManager, id: string): Promise<void> {
    await sql(em, `delete from collaborators where id = ?`, [id]);
  }

  /** Grants of an organization's resources expiring before `until`, not warned yet; marked warned, in the caller's transaction. */
  async takeDueForWarning(em: EntityManager, until: Date, limit: number): Promise<ExpiringGrant[]> {
    return sql<ExpiringGrant>(
      em,
      `with due as (
         select c.id from collaborators c
          where c.expires_at > now() and c.expires_at <= ? and c.expiry_warned_at is null
            and c.organization_id is not null
          order by c.expires_at limit ? for update skip locked
       )
       update collaborators c set expiry_warned_at = now()
         from due, resources r, users u
        where c.id = due.id and r.id = c.resource_id and u.id = c.user_id
       returning c.id, c.resource_id, r.kind, r.title, c.user_id, u.email, c.role, c.organization_id, c.expires_at`,
      [until, limit],
    );
  }
}

export interface ExpiringGrant {
  id: string;
  resource_id: string;
  kind: ResourceKind;
  title: string;
  user_id: string;
  email: string;
  role: ResourceRole;
  organization_id: string | null;
  expires_at: Date;
}
