import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PageQuery } from '../../common/pagination';
import { UuidParam } from '../../common/uuid-param';
import { Authorize } from '../../policy/authorize.decorator';
import { CurrentPolicy, RequestPolicy } from '../../policy/current-policy.decorator';
import { AddGroupMembersDto, CreateGroupDto, UpdateGroupDto } from './dto/group-requests.dto';
import { GroupDetailDto, GroupPage } from './dto/group.dto';
import { GroupsService } from './groups.service';
import { ApiProblems } from '../../common/api-problems.decorator';
import { GroupErrorCode } from './groups.errors';
import { QuotaErrorCode } from '../quotas/quotas.errors';
import { ReadsFromReplica } from '../../database/read-routing';

const ORGANIZATION = { type: 'organization' } as const;

@ApiTags('groups')
@Controller('organizations/:orgId/groups')
export class GroupsController {
  constructor(private readonly groups: GroupsService) {}

  /** The organization's groups by name, for internal users (to pick one when sharing a resource). */
  @Get()
  @Authorize('read', 'Group', ORGANIZATION)
  @ReadsFromReplica()
  @ApiOperation({ operationId: 'listGroups' })
  list(@UuidParam('orgId') orgId: string, @Query() query: PageQuery): Promise<GroupPage> {
    return this.groups.list(orgId, query);
  }

  /** Creates a group, optionally with its first members (admins only). */
  @Post()
  @Authorize('create', 'Group', ORGANIZATION)
  @ApiOperation({ operationId: 'createGroup' })
  @ApiProblems(GroupErrorCode.GROUP_NAME_TAKEN, GroupErrorCode.NOT_ORG_USER, QuotaErrorCode.QUOTA_EXCEEDED)
  create(
    @UuidParam('orgId') orgId: string,
    @Body() body: CreateGroupDto,
    @CurrentPolicy() policy: RequestPolicy,
  ): Promise<GroupDetailDto> {
    return this.groups.create(policy.ctx.caller.userId, orgId, body);
  }

  /** One group with its members. */
  @Get(':groupId')
  @Authorize('read', 'Group', ORGANIZATION)
  @ApiOperation({ operationId: 'getGroup' })
  get(@UuidParam('orgId') orgId: string, @UuidParam('groupId') groupId: string): Promise<GroupDetailDto> {
    return this.groups.get(orgId, groupId);
  }

  /** Renames a group or changes its description (admins only). */
  @Patch(':groupId')
  @Authorize('update', 'Group', ORGANIZATION)
  @ApiOperation({ operationId: 'updateGroup' })
  @ApiProblems(GroupErrorCode.GROUP_NAME_TAKEN)
  update(
    @UuidParam('orgId') orgId: string,
    @UuidParam('groupId') groupId: string,
    @Body() body: UpdateGroupDto,
    @CurrentPolicy() policy: RequestPolicy,
  ): Promise<GroupDetailDto> {
    return this.groups.update(policy.ctx.caller.userId, orgId, groupId, body);
  }

  /** Deletes a group; the roles its members had through it on resources go with it (admins only). */
  @Delete(':groupId')
  @HttpCode(204)
  @Authorize('delete', 'Group', ORGANIZATION)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiOperation({ operationId: 'deleteGroup' })
  async delete(
    @UuidParam('orgId') orgId: string,
    @UuidParam('groupId') groupId: string,
    @CurrentPolicy() policy: RequestPolicy,
  ): Promise<void> {
    await this.groups.delete(policy.ctx.caller.userId, orgId, groupId);
  }

  /** Adds users of the organization (admins, members, workforce) to the group (admins only). */
  @Post(':groupId/members')
  @HttpCode(200)
  @Authorize('update', 'Group', ORGANIZATION)
  @ApiOperation({ operationId: 'addGroupMembers' })
  @ApiProblems(GroupErrorCode.NOT_ORG_USER)
  addMembers(
    @UuidParam('orgId') orgId: string,
    @UuidParam('groupId') groupId: string,
    @Body() body: AddGroupMembersDto,
    @CurrentPolicy() policy: RequestPolicy,
  ): Promise<GroupDetailDto> {
    return this.groups.addMembersToGroup(policy.ctx.caller.userId, orgId, groupId, body);
  }

  /** Takes a user out of the group (admins only). */
  @Delete(':groupId/members/:userId')
  @HttpCode(204)
  @Authorize('update', 'Group', ORGANIZATION)
  @ApiNoContentResponse({ description: 'Removed from the group' })
  @ApiOperation({ operationId: 'removeGroupMember' })
  async removeMember(
    @UuidParam('orgId') orgId: string,
    @UuidParam('groupId') groupId: string,
    @UuidParam('userId') userId: string,
    @CurrentPolicy() policy: RequestPolicy,
  ): Promise<void> {
    await this.groups.removeMember(policy.ctx.caller.userId, orgId, groupId, userId);
  }
}
