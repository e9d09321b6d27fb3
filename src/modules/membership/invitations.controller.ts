import { Controller, Delete, Get, HttpCode, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiProblems } from '../../common/api-problems.decorator';
import { PageQuery } from '../../common/pagination';
import { UuidParam } from '../../common/uuid-param';
import { Authorize } from '../../policy/authorize.decorator';
import { CurrentPolicy, RequestPolicy } from '../../policy/current-policy.decorator';
import { InvitationPage } from './dto/invitation.dto';
import { InvitationsService } from './invitations.service';
import { MembershipErrorCode } from './membership.errors';

const ORGANIZATION = { type: 'organization' } as const;

@ApiTags('members')
@Controller('organizations/:orgId/invitations')
export class InvitationsController {
  constructor(private readonly invitations: InvitationsService) {}

  /**
   * People invited by email who have not signed up yet, newest first, with when their invitation
   * expires (an expired one stays listed until it is resent or revoked).
   */
  @Get()
  @Authorize('read', 'Invitation', ORGANIZATION)
  @ApiOkResponse({ type: InvitationPage })
  @ApiOperation({ operationId: 'listOrganizationInvitations' })
  list(@UuidParam('orgId') orgId: string, @Query() query: PageQuery): Promise<InvitationPage> {
    return this.invitations.list(orgId, query);
  }

  /** Mails the invitation again; it then holds for INVITATION_TTL from now. */
  @Post(':id/resend')
  @HttpCode(202)
  @Authorize('update', 'Invitation', ORGANIZATION)
  @ApiAcceptedResponse({ description: 'The invitation is renewed and its mail is on its way.' })
  @ApiOperation({ operationId: 'resendOrganizationInvitation' })
  async resend(
    @UuidParam('orgId') orgId: string,
    @UuidParam('id') id: string,
    @CurrentPolicy() policy: RequestPolicy,
  ): Promise<void> {
    await this.invitations.resend(policy, orgId, id);
  }

  /**
   * Takes back the membership and the rights the invitation gave; the person can no longer sign up
   * into them. 409 LAST_ADMIN for the organization's last admin, REPLACEMENT_REQUIRED for a
   * resource's only admin (remove them as a member instead, naming a replacement).
   */
  @Delete(':id')
  @HttpCode(204)
  @Authorize('delete', 'Invitation', ORGANIZATION)
  @ApiNoContentResponse({ description: 'Revoked.' })
  @ApiOperation({ operationId: 'revokeOrganizationInvitation' })
  @ApiProblems(MembershipErrorCode.LAST_ADMIN, MembershipErrorCode.REPLACEMENT_REQUIRED)
  async revoke(
    @UuidParam('orgId') orgId: string,
    @UuidParam('id') id: string,
    @CurrentPolicy() policy: RequestPolicy,
  ): Promise<void> {
    await this.invitations.revoke(policy, orgId, id);
  }
}
