import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { JsonAnswer } from '../../common/json-answer';
import { Page } from '../../common/pagination';
import { UuidParam } from '../../common/uuid-param';
import { Authorize, AuthorizeCaller } from '../../policy/authorize.decorator';
import { CurrentPolicy, RequestPolicy } from '../../policy/current-policy.decorator';
import { CollaboratorsService } from './collaborators.service';
import {
  AddResourceGroup,
  ChangeRole,
  CollaboratorRole,
  Collaborators,
  InviteCollaborators,
  InviteResult,
  ResourceGroupRole,
} from './dto/collaborator.dto';
import { CreateResourceBody, UpdateResourceBody } from './dto/create-resource.dto';
import { ProjectListQuery } from './dto/list-resources.dto';
import { ResourceDetail, ResourceSummaryDto } from './dto/resource.dto';
import { declareParamTypes, nameClass, RESOURCE_KIND_APIS, ResourceKindApi } from './resource-kind-api';
import { detailColumns } from './resources.repository';
import { ResourcesService } from './resources.service';
import { ApiProblems } from '../../common/api-problems.decorator';
import { CommonErrorCode } from '../../common/app-error';
import { MembershipErrorCode } from '../membership/membership.errors';
import { QuotaErrorCode } from '../quotas/quotas.errors';
import { TagErrorCode } from '../tags/tags.errors';
import { ResourceErrorCode } from './resources.errors';
import { ReadsFromReplica } from '../../database/read-routing';

/** The routes that projects, datasets and ontologies share, written once for a kind. */
function resourceController(api: ResourceKindApi) {
  const { kind, collaborators: dtos } = api;
  const scope = { type: 'resource', kind } as const;

  @ApiTags(api.segment)
  @Controller(api.segment)
  class ResourcesController {
    constructor(
      private readonly resources: ResourcesService,
      private readonly collaborators: CollaboratorsService,
    ) {}

    /**
     * Creates one; the caller becomes its admin and owner. It belongs to the caller's organization
     * when they are internal in one (admin or member), to none otherwise.
     */
    @Post()
    @AuthorizeCaller()
    @ApiCreatedResponse({ type: api.detail })
    @ApiOperation({ operationId: `create${api.singular}` })
    @ApiProblems(
      CommonErrorCode.FORBIDDEN,
      CommonErrorCode.NOT_FOUND,
      TagErrorCode.TAG_OF_OTHER_ORG,
      QuotaErrorCode.QUOTA_EXCEEDED,
    )
    create(
      @Body() body: CreateResourceBody,
      @CurrentPolicy() policy: RequestPolicy,
    ): Promise<ResourceDetail> {
      return this.resources.create(policy.ctx.caller, kind, body);
    }

    /** Those the caller holds a role on (directly or through a group), in any organization or none; newest first. */
    @Get()
    @AuthorizeCaller()
    @ApiOkResponse({ type: api.page })
    @ReadsFromReplica()
    @ApiOperation({ operationId: `list${api.plural}` })
    list(
      @Query() query: ProjectListQuery,
      @CurrentPolicy() policy: RequestPolicy,
    ): Promise<JsonAnswer<Page<ResourceSummaryDto>>> {
      return this.resources.listMine(policy.ctx.caller, kind, query);
    }

    /** Organization admins who have not joined it get 403 JOIN_REQUIRED. */
    @Get(':id')
    @Authorize('read', 'Resource', { ...scope, load: detailColumns(kind) })
    @ApiOkResponse({ type: api.detail })
    @ApiOperation({ operationId: `get${api.singular}` })
    get(@UuidParam('id') _id: string, @CurrentPolicy() policy: RequestPolicy): ResourceDetail {
      return this.resources.get(policy, kind);
    }

    /** Title, description, and for ontologies the structure (replaced as a whole). */
    @Patch(':id')
    @Authorize('update', 'Resource', scope)
    @ApiOkResponse({ type: api.detail })
    @ApiOperation({ operationId: `update${api.singular}` })
    update(
      @UuidParam('id') id: string,
      @Body() body: UpdateResourceBody,
      @CurrentPolicy() policy: RequestPolicy,
    ): Promise<ResourceDetail> {
      return this.resources.update(policy, kind, id, body);
    }

    /** Deletes it with its collaborators, group roles and links. */
    @Delete(':id')
    @HttpCode(204)
    @Authorize('delete', 'Resource', scope)
    @ApiOperation({ operationId: `delete${api.singular}` })
    async remove(@UuidParam('id') id: string, @CurrentPolicy() policy: RequestPolicy): Promise<void> {
      await this.resources.remove(policy, kind, id);
    }

    /** People with a direct role, and groups with a role. */
    @Get(':id/collaborators')
    @Authorize('readCollaborators', 'Resource', scope)
    @ReadsFromReplica()
    @ApiOkResponse({ type: dtos.Collaborators })
    @ApiOperation({ operationId: `list${api.singular}Collaborators` })
    listCollaborators(@UuidParam('id') id: string): Promise<Collaborators> {
      return this.collaborators.list(kind, id);
    }

    /**
     * Gives the role to each email. Unknown emails become invited users; people without a membership
     * in the resource's organization become `workforce` (internal in a workforce organization) or
     * `external` there. An existing collaborator is given the new role.
     */
    @Post(':id/collaborators')
    @Authorize('invite', 'Collaborator', scope)
    @ApiCreatedResponse({ type: dtos.InviteResult })
    @ApiOperation({ operationId: `invite${api.singular}Collaborators` })
    @ApiProblems(
      MembershipErrorCode.LAST_ADMIN,
      MembershipErrorCode.NOT_ORG_MEMBER,
      MembershipErrorCode.SERVICE_ACCOUNT_OUTSIDE_ORGANIZATION,
    )
    invite(
      @UuidParam('id') id: string,
      @Body() body: InviteCollaborators,
      @CurrentPolicy() policy: RequestPolicy,
    ): Promise<InviteResult> {
      return this.collaborators.invite(policy, kind, id, body);
    }

    /** 409 LAST_ADMIN when it would leave no admin. */
    @Patch(':id/collaborators/:userId')
    @Authorize('changeRole', 'Collaborator', scope)
    @ApiOkResponse({ type: dtos.CollaboratorRole })
    @ApiOperation({ operationId: `update${api.singular}Collaborator` })
    @ApiProblems(MembershipErrorCode.LAST_ADMIN)
    changeRole(
      @UuidParam('id') id: string,
      @UuidParam('userId') userId: string,
      @Body() body: ChangeRole,
      @CurrentPolicy() policy: RequestPolicy,
    ): Promise<CollaboratorRole> {
      return this.collaborators.changeRole(policy, kind, id, userId, body.role, body.expiresAt);
    }

    /** Anyone may remove themselves (leave); 409 LAST_ADMIN when it would leave no admin. */
    @Delete(':id/collaborators/:userId')
    @HttpCode(204)
    @Authorize('delete', 'Collaborator', scope)
    @ApiOperation({ operationId: `remove${api.singular}Collaborator` })
    @ApiProblems(MembershipErrorCode.LAST_ADMIN)
    async removeCollaborator(
      @UuidParam('id') id: string,
      @UuidParam('userId') userId: string,
      @CurrentPolicy() policy: RequestPolicy,
    ): Promise<void> {
      await this.collaborators.remove(policy, kind, id, userId);
    }

    /** Every member of the group then holds the role; 422 GROUP_OF_OTHER_ORG for a group of another organization. */
    @Post(':id/groups')
    @Authorize('manageGroups', 'Resource', scope)
    @ApiCreatedResponse({ type: dtos.GroupRole })
    @ApiOperation({ operationId: `add${api.singular}Group` })
    @ApiProblems(ResourceErrorCode.GROUP_OF_OTHER_ORG)
    addGroup(
      @UuidParam('id') id: string,
      @Body() body: AddResourceGroup,
      @CurrentPolicy() policy: RequestPolicy,
    ): Promise<ResourceGroupRole> {
      return this.collaborators.addGroup(policy, kind, id, body);
    }

    /** Its members lose the role at once. */
    @Delete(':id/groups/:groupId')
    @HttpCode(204)
    @Authorize('manageGroups', 'Resource', scope)
    @ApiOperation({ operationId: `remove${api.singular}Group` })
    async removeGroup(
      @UuidParam('id') id: string,
      @UuidParam('groupId') groupId: string,
      @CurrentPolicy() policy: RequestPolicy,
    ): Promise<void> {
      await this.collaborators.removeGroup(policy, kind, id, groupId);
    }
  }

  declareParamTypes(ResourcesController, {
    create: [api.createBody, Object],
    list: [api.listQuery, Object],
    update: [String, api.updateBody, Object],
    invite: [String, dtos.InviteCollaborators, Object],
    changeRole: [String, String, dtos.ChangeRole, Object],
    addGroup: [String, dtos.AddGroup, Object],
  });
  return nameClass(ResourcesController, `${api.plural}Controller`);
}

export const ProjectsController = resourceController(RESOURCE_KIND_APIS.project);
export const DatasetsController = resourceController(RESOURCE_KIND_APIS.dataset);
export const OntologiesController = resourceController(RESOURCE_KIND_APIS.ontology);
