import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { UuidParam } from '../../common/uuid-param';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { PageQuery } from '../../common/pagination';
import { Authorize } from '../../policy/authorize.decorator';
import { CurrentPolicy, RequestPolicy } from '../../policy/current-policy.decorator';
import { OrganizationDto, OrganizationPage } from '../organizations/dto/organization.dto';
import { AddDomainDto, CreateOrganizationDto, UpdateOrganizationDto } from './dto/create-organization.dto';
import { PlatformService } from './platform.service';
import { ApiProblems } from '../../common/api-problems.decorator';
import { MembershipErrorCode } from '../membership/membership.errors';
import { OrganizationErrorCode } from '../organizations/organizations.errors';
import { ReadsFromReplica } from '../../database/read-routing';

const PLATFORM = { type: 'platform' } as const;

@ApiTags('platform')
@Controller('platform/organizations')
export class PlatformController {
  constructor(private readonly platform: PlatformService) {}

  /** Creates an organization with its domains and first admins (platform admins only). */
  @Post()
  @Authorize('create', 'Organization', PLATFORM)
  @ApiOperation({ operationId: 'createOrganization' })
  @ApiProblems(
    OrganizationErrorCode.DOMAIN_TAKEN,
    OrganizationErrorCode.ORGANIZATION_NAME_TAKEN,
    OrganizationErrorCode.FREE_MAIL_DOMAIN,
    MembershipErrorCode.ALREADY_INTERNAL_ELSEWHERE,
    MembershipErrorCode.DOMAIN_OF_OTHER_ORGANIZATION,
  )
  create(
    @Body() body: CreateOrganizationDto,
    @CurrentPolicy() policy: RequestPolicy,
  ): Promise<OrganizationDto> {
    return this.platform.createOrganization(policy.ctx.caller.userId, body);
  }

  /** Every organization, by name. */
  @Get()
  @Authorize('manage', 'Organization', PLATFORM)
  @ReadsFromReplica()
  @ApiOperation({ operationId: 'listAllOrganizations' })
  list(@Query() query: PageQuery): Promise<OrganizationPage> {
    return this.platform.list(query);
  }

  /** Renames an organization or sets its workforce flag. */
  @Patch(':orgId')
  @Authorize('update', 'Organization', PLATFORM)
  @ApiOperation({ operationId: 'updateOrganization' })
  @ApiProblems(OrganizationErrorCode.ORGANIZATION_NAME_TAKEN, OrganizationErrorCode.WORKFORCE_IN_USE)
  update(
    @UuidParam('orgId') orgId: string,
    @Body() body: UpdateOrganizationDto,
    @CurrentPolicy() policy: RequestPolicy,
  ): Promise<OrganizationDto> {
    return this.platform.update(policy.ctx.caller.userId, orgId, body);
  }

  /** Attaches an email domain. */
  @Post(':orgId/domains')
  @Authorize('update', 'Organization', PLATFORM)
  @ApiOperation({ operationId: 'addOrganizationDomain' })
  @ApiProblems(OrganizationErrorCode.DOMAIN_TAKEN, OrganizationErrorCode.FREE_MAIL_DOMAIN)
  addDomain(
    @UuidParam('orgId') orgId: string,
    @Body() body: AddDomainDto,
    @CurrentPolicy() policy: RequestPolicy,
  ): Promise<OrganizationDto> {
    return this.platform.addDomain(policy.ctx.caller.userId, orgId, body);
  }

  /** Detaches an email domain; existing members stay. */
  @Delete(':orgId/domains/:domain')
  @HttpCode(204)
  @Authorize('update', 'Organization', PLATFORM)
  @ApiOperation({ operationId: 'removeOrganizationDomain' })
  async removeDomain(
    @UuidParam('orgId') orgId: string,
    @Param('domain') domain: string,
    @CurrentPolicy() policy: RequestPolicy,
  ): Promise<void> {
    await this.platform.removeDomain(policy.ctx.caller.userId, orgId, domain);
  }
}
