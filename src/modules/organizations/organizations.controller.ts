import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { PageQuery } from '../../common/pagination';
import { UuidParam } from '../../common/uuid-param';
import { Authorize, AuthorizeCaller } from '../../policy/authorize.decorator';
import { CurrentPolicy, RequestPolicy } from '../../policy/current-policy.decorator';
import { OrganizationDto, OrganizationPage } from './dto/organization.dto';
import { OrganizationsService } from './organizations.service';
import { ReadsFromReplica } from '../../database/read-routing';

@ApiTags('organizations')
@Controller('organizations')
export class OrganizationsController {
  constructor(private readonly organizations: OrganizationsService) {}

  /** The organizations where the caller is internal (admin or member), by name. */
  @Get()
  @AuthorizeCaller()
  @ReadsFromReplica()
  @ApiOperation({ operationId: 'listMyOrganizations' })
  list(@Query() query: PageQuery, @CurrentPolicy() policy: RequestPolicy): Promise<OrganizationPage> {
    return this.organizations.listMine(policy.ctx.caller.userId, query);
  }

  /** One organization's dashboard header: name, workforce flag, domains. Internal users only. */
  @Get(':orgId')
  @Authorize('read', 'Organization', { type: 'organization' })
  @ApiOperation({ operationId: 'getOrganization' })
  get(@UuidParam('orgId') orgId: string): Promise<OrganizationDto> {
    return this.organizations.get(orgId);
  }
}
