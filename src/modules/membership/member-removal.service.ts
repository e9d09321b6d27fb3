import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { ResourceKind } from '../../policy/vocabulary';
import { SoleAdminResourceDto } from './dto/member.dto';
import { execSql } from '../../database/exec-sql';

export interface DetachedCounts {
  collaborations: number;
  groupMemberships: number;
  notificationRecipients: number;
}

/**
 * What removing a user from an organization does to the organization's resources, in the caller's
 * transaction: the hand-over of the resources they alone administer, then taking away everything
 * they held in the organization. Plain SQL over the resource tables, so it does not depend on the
 * resources module.
 */
@Injectable()
export class MemberRemovalService {
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
    const rows = await execSql<{ id: string; kind: ResourceKind; title: string }>(
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

  /** Whether the user can take over: an internal user (admin or member) of the organization. */
  async isInternalUser(em: EntityManager, organizationId: string, userId: string): Promise<boolean> {
    // Locked so that the replacement cannot leave the organization before this transaction commits.
    const rows = await execSql(
      em,
      `select 1 from memberships where organization_id = ? and user_id = ? and type in ('admin', 'member') for share`,
      [organizationId, userId],
    );
    return rows.length > 0;
  }

  /** The replacement becomes admin of each resource: a new collaborator row, or their role raised. */
  async handOver(
    em: EntityManager,
    resources: readonly SoleAdminResourceDto[],
    replacementUserId: string,
  ): Promise<{ resourceId: string; previousRole: string | null }[]> {
    if (resources.length === 0) return [];
    return execSql<{ resourceId: string; previousRole: string | null }>(
      em,
      `with previous as (
         select resource_id, role from collaborators where user_id = ? and resource_id in (?)
       )
       insert into collaborators (id, resource_id, user_id, role, organization_id, created_at)
       select gen_random_uuid(), r.id, ?, 'admin', r.organization_id, now() from resources r where r.id in (?)
       on conflict (resource_id, user_id) do update set role = 'admin'
       returning resource_id as "resourceId",
                 (select p.role from previous p where p.resource_id = collaborators.resource_id) as "previousRole"`,
      [replacementUserId, resources.map((r) => r.id), replacementUserId, resources.map((r) => r.id)],
    );
  }

  /**
   * Takes away the user's collaborator roles on the organization's resources, their places in its
   * groups and in its projects' notifications: every row naming them under the organization's
   * tenant key. The caller holds the membership row locked, so no grant can add one meanwhile.
   */
  async detach(em: EntityManager, organizationId: string, userId: string): Promise<DetachedCounts> {
    const remove = (table: string) =>
      execSql(em, `delete from ${table} where organization_id = ? and user_id = ? returning id`, [
        organizationId,
        userId,
      ]);
    const collaborations = await remove('collaborators');
    const groupMemberships = await remove('group_members');
    const notificationRecipients = await remove('notification_recipients');
    return {
      collaborations: collaborations.length,
      groupMemberships: groupMemberships.length,
      notificationRecipients: notificationRecipients.length,
    };
  }
}
