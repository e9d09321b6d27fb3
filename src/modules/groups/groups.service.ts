import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Page, PageQuery } from '../../common/pagination';
import { InTransaction } from '../../database/in-transaction';
import { AuditService } from '../audit/audit.service';
import { QuotasService } from '../quotas/quotas.service';
import { AddGroupMembersDto, CreateGroupDto, UpdateGroupDto } from './dto/group-requests.dto';
import { GroupDetailDto, GroupDto } from './dto/group.dto';
import { GroupErrors } from './groups.errors';
import { GroupsRepository, GroupState } from './groups.repository';
import { MembershipRepository } from '../membership/membership.repository';
import { OrganizationRights, OrganizationRightsHolder } from '../membership/organization-rights';

/**
 * Groups of an organization. Every statement names the organization from the path, so the id of
 * another organization's group is never served. Names are unique per organization whatever the
 * case: groups_org_name_unique decides, also between concurrent requests (409 GROUP_NAME_TAKEN).
 */
@Injectable()
export class GroupsService implements OrganizationRightsHolder {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
    private readonly quotas: QuotasService,
    private readonly groups: GroupsRepository,
    private readonly memberships: MembershipRepository,
    rights: OrganizationRights,
  ) {
    rights.register(this);
  }

  list(organizationId: string, query: PageQuery): Promise<Page<GroupDto>> {
    return this.groups.page(this.em.fork(), organizationId, query);
  }

  async get(organizationId: string, groupId: string): Promise<GroupDetailDto> {
    const group = await this.groups.findDetail(this.em.fork(), organizationId, groupId);
    if (!group) throw GroupErrors.groupNotFound();
    return group;
  }

  async create(
    actorId: string,
    organizationId: string,
    input: CreateGroupDto,
    alsoInTransaction?: InTransaction,
  ): Promise<GroupDetailDto> {
    const groupId = await this.em.transactional(async (em) => {
      await this.quotas.assertRoomFor(em, organizationId, 'groups');
      const id = await this.groups.insert(em, organizationId, {
        name: input.name,
        description: input.description ?? '',
      });
      const added = await this.addMembers(em, organizationId, id, input.memberIds ?? []);
      this.audit.record(em, {
        organizationId,
        actorId,
        action: 'group.created',
        targetType: 'group',
        targetId: id,
        data: { after: { name: input.name, description: input.description ?? '' }, memberIds: added },
      });
      await alsoInTransaction?.(em, id);
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
      await this.groups.update(em, organizationId, groupId, after);
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
      const deleted = await this.groups.delete(em, organizationId, groupId);
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

  /**
   * Makes the group's name and members exactly these, in one transaction (an identity provider's
   * PUT or PATCH of a group): the differences are written and audited as the single-step routes do.
   */
  async reconcile(
    actorId: string,
    organizationId: string,
    groupId: string,
    wanted: { name: string; memberIds: readonly string[] },
    alsoInTransaction?: InTransaction,
  ): Promise<void> {
    await this.em.transactional(async (em) => {
      const before = await this.lockGroup(em, organizationId, groupId, 'update');
      if (wanted.name !== before.name) {
        const after = { name: wanted.name, description: before.description };
        await this.groups.update(em, organizationId, groupId, after);
        this.audit.record(em, {
          organizationId,
          actorId,
          action: 'group.updated',
          targetType: 'group',
          targetId: groupId,
          data: { before: { name: before.name, description: before.description }, after },
        });
      }
      const current = await this.groups.memberIds(em, organizationId, groupId);
      const wantedIds = new Set(wanted.memberIds.map((id) => id.toLowerCase()));
      for (const userId of current.filter((id) => !wantedIds.has(id))) {
        await this.groups.removeMember(em, organizationId, groupId, userId);
        this.audit.record(em, {
          organizationId,
          actorId,
          action: 'group.member_removed',
          targetType: 'group',
          targetId: groupId,
          data: { userId },
        });
      }
      const added = await this.addMembers(
        em,
        organizationId,
        groupId,
        [...wantedIds].filter((id) => !current.includes(id)),
      );
      if (added.length > 0) {
        this.audit.record(em, {
          organizationId,
          actorId,
          action: 'group.members_added',
          targetType: 'group',
          targetId: groupId,
          data: { userIds: added },
        });
      }
      await alsoInTransaction?.(em, groupId);
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
      if (!(await this.groups.removeMember(em, organizationId, groupId, userId)))
        throw GroupErrors.groupMemberNotFound();
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
    const eligibleIds = new Set(
      await this.memberships.lockUsersInOrganization(em, organizationId, wanted, [
        'admin',
        'member',
        'workforce',
      ]),
    );
    const refused = wanted.filter((id) => !eligibleIds.has(id));
    if (refused.length > 0) throw GroupErrors.notOrgUser(refused);
    return (await this.groups.addMembers(em, organizationId, groupId, wanted)).sort();
  }

  /** The group's current state, its row locked; 404 unless it is a group of this organization. */
  private async lockGroup(
    em: EntityManager,
    organizationId: string,
    groupId: string,
    mode: 'update' | 'share',
  ): Promise<GroupState> {
    const group = await this.groups.lock(em, organizationId, groupId, mode);
    if (!group) throw GroupErrors.groupNotFound();
    return group;
  }

  /** Removal from the organization: the user leaves its groups (and the roles they gave on resources). */
  async removeRightsOf(
    em: EntityManager,
    organizationId: string,
    userId: string,
  ): Promise<Record<string, number>> {
    return { groupMemberships: await this.groups.removeFromAll(em, organizationId, userId) };
  }
}
