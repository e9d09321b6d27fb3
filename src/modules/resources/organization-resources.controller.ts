import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { JsonAnswer } from '../../common/json-answer';
import { Page } from '../../common/pagination';
import { UuidParam } from '../../common/uuid-param';
import { Authorize } from '../../policy/authorize.decorator';
import { CurrentPolicy, RequestPolicy } from '../../policy/current-policy.decorator';
import { CollaboratorsService } from './collaborators.service';
import { JoinResultDto } from './dto/collaborator.dto';
import { ProjectListQuery } from './dto/list-resources.dto';
import { ResourceSummaryDto } from './dto/resource.dto';
import { declareParamTypes, nameClass, RESOURCE_KIND_APIS, ResourceKindApi } from './resource-kind-api';
import { RESOURCE_LIST_FIELDS, resourcePageInScope } from './resources.repository';
import { ResourcesService } from './resources.service';
import { ReadsFromReplica } from '../../database/read-routing';

const ORGANIZATION = { type: 'organization' } as const;

/** An organization's projects, datasets or ontologies, as its dashboard lists them, and joining them. */
function organizationResourceController(api: ResourceKindApi) {
  const { kind } = api;

  @ApiTags('organizations')
  @Controller(`organizations/:orgId/${api.segment}`)
  class OrganizationResourcesController {
    constructor(
      private readonly resources: ResourcesService,
      private readonly collaborators: CollaboratorsService,
    ) {}

    /**
     * Admins see all of them, members only those they hold a role on (directly or through a group);
     * `myRole` is null where the caller has none. Newest first.
     */
    @Get()
    @Authorize('list', 'Resource', {
      type: 'organization',
      load: resourcePageInScope(kind, api.listQuery),
      fields: RESOURCE_LIST_FIELDS,
    })
    @ApiOkResponse({ type: api.page })
    @ReadsFromReplica()
    @ApiOperation({ operationId: `listOrganization${api.plural}` })
    list(
      @UuidParam('orgId') orgId: string,
      @Query() query: ProjectListQuery,
      @CurrentPolicy() policy: RequestPolicy,
    ): Promise<JsonAnswer<Page<ResourceSummaryDto>>> {
      return this.resources.listOfOrganization(policy, orgId, kind, query);
    }

    /** The organization admin becomes its admin (what they need before opening it). */
    @Post(':id/join')
    @HttpCode(200)
    @Authorize('join', 'Resource', ORGANIZATION)
    @ApiOperation({ operationId: `join${api.singular}` })
    join(
      @UuidParam('orgId') orgId: string,
      @UuidParam('id') id: string,
      @CurrentPolicy() policy: RequestPolicy,
    ): Promise<JoinResultDto> {
      return this.collaborators.join(policy, orgId, kind, id);
    }
  }

  declareParamTypes(OrganizationResourcesController, { list: [String, api.listQuery, Object] });
  return nameClass(OrganizationResourcesController, `Organization${api.plural}Controller`);
}

export const OrganizationProjectsController = organizationResourceController(RESOURCE_KIND_APIS.project);
export const OrganizationDatasetsController = organizationResourceController(RESOURCE_KIND_APIS.dataset);
export const OrganizationOntologiesController = organizationResourceController(RESOURCE_KIND_APIS.ontology);
