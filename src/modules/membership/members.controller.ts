import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { JsonAnswer } from '../../common/json-answer';
import { UuidParam } from '../../common/uuid-param';
import { Authorize } from '../../policy/authorize.decorator';
import { CurrentPolicy, RequestPolicy } from '../../policy/current-policy.decorator';
import {
  AddMemberDto,
  ChangeMemberTypeDto,
  ListMembersQuery,
  RemoveMemberQuery,
} from './dto/member-requests.dto';
import { MemberDto, MemberPage, RemovalPreviewDto } from './dto/member.dto';
import { MembershipService } from './membership.service';
import { memberPageInScope } from './membership.repository';
import { ApiProblems } from '../../common/api-problems.decorator';
import { MembershipErrorCode } from './membership.errors';
import { ReadsFromReplica } from '../../database/read-routing';

const ORGANIZATION = { type: 'organization' } as const;

@ApiTags('members')
@Controller('organizations/:orgId/members')
export class MembersController {
  constructor(private readonly members: MembershipService) {}

  /** The organization's users by the time they joined; with `q`, the autocomplete of invite dropdowns, names starting with the text first. */
  @Get()
  @Authorize('read', 'Member', { type: 'organization', load: memberPageInScope })
  @ApiQuery({
    name: 'type',
    required: false,
    type: String,
    description:
      'Keeps these types only: a comma-separated list of `admin`, `member`, `workforce`, `external`.',
  })
  @ApiOkResponse({ type: MemberPage })
  @ReadsFromReplica()
  @ApiOperation({ operationId: 'listOrganizationMembers' })
  list(
    @UuidParam('orgId') orgId: string,
    @Query() query: ListMembersQuery,
    @CurrentPolicy() policy: RequestPolicy,
  ): Promise<JsonAnswer<MemberPage>> {
    return this.members.list(orgId, query, policy);
  }

  /** Adds a user by email with a type; members may not add admins. */
  @Post()
  @Authorize('create', 'Member', ORGANIZATION)
  @ApiOperation({ operationId: 'addOrganizationMember' })
  @ApiProblems(
    MembershipErrorCode.ALREADY_MEMBER,
    MembershipErrorCode.ALREADY_INTERNAL_ELSEWHERE,
    MembershipErrorCode.SERVICE_ACCOUNT_OUTSIDE_ORGANIZATION,
    MembershipErrorCode.DOMAIN_OF_OTHER_ORGANIZATION,
    MembershipErrorCode.NOT_WORKFORCE_ELIGIBLE,
    MembershipErrorCode.INTERNAL_NEVER_EXPIRES,
  )
  add(
    @UuidParam('orgId') orgId: string,
    @Body() body: AddMemberDto,
    @CurrentPolicy() policy: RequestPolicy,
  ): Promise<MemberDto> {
    return this.members.add(policy, orgId, body);
  }

  /** Promotes a member to admin or demotes an admin to member (admins only). */
  @Patch(':userId')
  @Authorize('update', 'Member', ORGANIZATION)
  @ApiOperation({ operationId: 'updateOrganizationMember' })
  @ApiProblems(
    MembershipErrorCode.LAST_ADMIN,
    MembershipErrorCode.NOT_INTERNAL,
    MembershipErrorCode.INTERNAL_NEVER_EXPIRES,
  )
  changeType(
    @UuidParam('orgId') orgId: string,
    @UuidParam('userId') userId: string,
    @Body() body: ChangeMemberTypeDto,
    @CurrentPolicy() policy: RequestPolicy,
  ): Promise<MemberDto> {
    return this.members.changeType(policy, orgId, userId, body);
  }

  /** The resources that removing this user would leave without an admin. Changes nothing. */
  @Get(':userId/removal-preview')
  @Authorize('delete', 'Member', ORGANIZATION)
  @ApiOperation({ operationId: 'previewOrganizationMemberRemoval' })
  removalPreview(
    @UuidParam('orgId') orgId: string,
    @UuidParam('userId') userId: string,
  ): Promise<RemovalPreviewDto> {
    return this.members.removalPreview(orgId, userId);
  }

  /**
   * Removes a user from the organization, with their roles on its resources, groups and
   * notifications. Admins cannot be removed by organization admins (demote first).
   */
  @Delete(':userId')
  @HttpCode(204)
  @Authorize('delete', 'Member', ORGANIZATION)
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiOperation({ operationId: 'removeOrganizationMember' })
  @ApiProblems(
    MembershipErrorCode.ADMIN_NOT_REMOVABLE,
    MembershipErrorCode.LAST_ADMIN,
    MembershipErrorCode.REPLACEMENT_REQUIRED,
    MembershipErrorCode.INVALID_REPLACEMENT,
    MembershipErrorCode.SERVICE_ACCOUNT_MEMBERSHIP,
  )
  async remove(
    @UuidParam('orgId') orgId: string,
    @UuidParam('userId') userId: string,
    @Query() query: RemoveMemberQuery,
    @CurrentPolicy() policy: RequestPolicy,
  ): Promise<void> {
    await this.members.remove(policy, orgId, userId, query.replacementUserId);
  }
}
