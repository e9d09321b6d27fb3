import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Page, PageQuery } from '../../common/pagination';
import { AuditService } from '../audit/audit.service';
import { QuotasService } from '../quotas/quotas.service';
import { AddGroupMembersDto, CreateGroupDto, UpdateGroupDto } from './dto/group-requests.dto';
import { GroupDetailDto, GroupDto } from './dto/group.dto';
import { GroupErrors } from './groups.errors';
import { findGroupDetail, pageGroups } from './groups.query';
import { execSql } from '../../database/exec-sql';

interface GroupState {
  name: string;
  description: string;
}

/**
 * Groups of an organization. Every statement names the organization from the path, so the id of
 * another organization's group is never served. Names are unique per organization whatever the
 * case: groups_org_name_unique decides, also between concurrent requests (409 GROUP_NAME_TAKEN).
 */
@Injectable()
export class GroupsService {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
    private readonly quotas: QuotasService,
  ) {}

  list(organizationId: string, query: PageQuery): Promise<Page<GroupDto>> {
    return pageGroups(this.em.fork(), organizationId, query);
  }

  async get(organizationId: string, groupId: string): Promise<GroupDetailDto> {
    const group = await findGroupDetail(this.em.fork(), organizationId, groupId);
    if (!group) throw GroupErrors.groupNotFound();
    return group;
  }

  async create(actorId: string, organizationId: string, input: CreateGroupDto): Promise<GroupDetailDto> {
    const groupId = await this.em.transactional(async (em) => {
      await this.quotas.assertRoomFor(em, organizationId, 'groups');
      const [{ id }] = await execSql<{ id: string }>(
        em,
        `insert into groups (id, organization_id, name, description, created_at)
         values (gen_random_uuid(), ?, ?, ?, now()) returning id`,
        [organizationId, input.name, input.description ?? ''],
      );
      const added = await this.addMembers(em, organizationId, id, input.memberIds ?? []);
      this.audit.record(em, {
        organizationId,
        actorId,
        action: 'group.created',
        targetType: 'group',
        targetId: id,
        data: { after: { name: input.name, description: input.description ?? '' }, memberIds: added },
      });
      await em.flush();
      return id;
    });
    return this.get(organizationId, groupId);
  }

  async update(
    actorId: string,
    organizationId: string,
    groupId: string,
    input: UpdateGroupDto,
  ): Promise<GroupDetailDto> {
    await this.em.transactional(async (em) => {
      const before = await this.lockGroup(em, organizationId, groupId, 'update');
      const after = { name: input.name ?? before.name, description: input.description ?? before.description };
      if (after.name === before.name && after.description === before.description) return;
      await execSql(em, `update groups set name = ?, description = ? where id = ? and organization_id = ?`, [
        after.name,
        after.description,
        groupId,
        organizationId,
      ]);
      this.audit.record(em, {
        organizationId,
        actorId,
        action: 'group.updated',
        targetType: 'group',
        targetId: groupId,
        data: { before, after },
      });
      await em.flush();
    });
    return this.get(organizationId, groupId);
  }

  /** Deletes the group; its members' roles through it on resources go with it (FK cascade). */
  async delete(actorId: string, organizationId: string, groupId: string): Promise<void> {
    await this.em.transactional(async (em) => {
      const [deleted] = await execSql<GroupState & { member_ids: string[] }>(
        em,
        `delete from groups g where g.id = ? and g.organization_id = ?
         returning g.name, g.description,
                   array(select gm.user_id from group_members gm where gm.group_id = g.id) as member_ids`,
        [groupId, organizationId],
      );
      if (!deleted) throw GroupErrors.groupNotFound();
      this.audit.record(em, {
        organizationId,
        actorId,
        action: 'group.deleted',
        targetType: 'group',
        targetId: groupId,
        data: {
          before: { name: deleted.name, description: deleted.description, memberIds: deleted.member_ids },
        },
      });
      await em.flush();
    });
  }

  async addMembersToGroup(
    actorId: string,
    organizationId: string,
    groupId: string,
    input: AddGroupMembersDto,
  ): Promise<GroupDetailDto> {
    await this.em.transactional(async (em) => {
      await this.lockGroup(em, organizationId, groupId, 'share');
      const added = await this.addMembers(em, organizationId, groupId, input.userIds);
      if (added.length === 0) return;
      this.audit.record(em, {
        organizationId,
        actorId,
        action: 'group.members_added',
        targetType: 'group',
        targetId: groupId,
        data: { userIds: added },
      });
      await em.flush();
    });
    return this.get(organizationId, groupId);
  }

  async removeMember(
    actorId: string,
    organizationId: string,
    groupId: string,
    userId: string,
  ): Promise<void> {
    await this.em.transactional(async (em) => {
      await this.lockGroup(em, organizationId, groupId, 'share');
      const removed = await execSql(
        em,
        `delete from group_members where group_id = ? and organization_id = ? and user_id = ? returning id`,
        [groupId, organizationId, userId],
      );
      if (removed.length === 0) throw GroupErrors.groupMemberNotFound();
      this.audit.record(em, {
        organizationId,
        actorId,
        action: 'group.member_removed',
        targetType: 'group',
        targetId: groupId,
        data: { userId },
      });
      await em.flush();
    });
  }

  /**
   * Adds users of the organization (admin, member or workforce) to the group; anyone else is a 422
   * naming them. Their memberships are share-locked: a removal from the organization running at the
   * same time waits, then takes the new group places away with the rest.
   */
  private async addMembers(
    em: EntityManager,
    organizationId: string,
    groupId: string,
    userIds: readonly string[],
  ): Promise<string[]> {
    const wanted = [...new Set(userIds.map((id) => id.toLowerCase()))];
    if (wanted.length === 0) return [];
    const eligible = await execSql<{ user_id: string }>(
      em,
      `select user_id from memberships
        where organization_id = ? and user_id in (?) and type in ('admin', 'member', 'workforce')
        for share`,
      [organizationId, wanted],
    );
    const eligibleIds = new Set(eligible.map((row) => row.user_id));
    const refused = wanted.filter((id) => !eligibleIds.has(id));
    if (refused.length > 0) throw GroupErrors.notOrgUser(refused);
    const inserted = await execSql<{ user_id: string }>(
      em,
      `insert into group_members (id, group_id, user_id, organization_id, created_at)
       select gen_random_uuid(), ?, u, ?, now() from unnest(array[?]::uuid[]) as u
       on conflict (group_id, user_id) do nothing
       returning user_id`,
      [groupId, organizationId, wanted],
    );
    return inserted.map((row) => row.user_id).sort();
  }

  /** The group's current state, its row locked; 404 unless it is a group of this organization. */
  private async lockGroup(
    em: EntityManager,
    organizationId: string,
    groupId: string,
    mode: 'update' | 'share',
  ): Promise<GroupState> {
    const [group] = await execSql<GroupState>(
      em,
      `select name, description from groups where id = ? and organization_id = ? for ${mode === 'update' ? 'update' : 'share'}`,
      [groupId, organizationId],
    );
    if (!group) throw GroupErrors.groupNotFound();
    return group;
  }
}
