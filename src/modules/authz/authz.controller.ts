import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../../common/api-problems.decorator';
import { CommonErrorCode } from '../../common/app-error';
import { UuidParam } from '../../common/uuid-param';
import { Authorize } from '../../policy/authorize.decorator';
import { CurrentCredential } from '../../policy/current-credential.decorator';
import type { Credential } from '../../policy/policy-context';
import { AuthzService } from './authz.service';
import {
  CheckPermissionsDto,
  CheckResultsDto,
  OrganizationPermissionsDto,
  ResourcePermissionsDto,
} from './dto/authz.dto';

/** Many targets each: the service loads their scopes, with the credential, in one statement. */
const BATCH = { type: 'batch' } as const;

@ApiTags('authz')
@Controller()
export class AuthzController {
  constructor(private readonly authz: AuthzService) {}

  /**
   * Asks the policy engine up to 100 questions, answered in order from the same rules and data as
   * the routes: `allowed` is true exactly when the route that does the action would let the subject
   * do it now. A target that does not exist, or that the subject may not know exists, is `false`
   * like any refusal. With `userId`, about another user: refused (403) unless the caller is a platform
   * admin or an admin of an organization that user belongs to; questions about targets outside the
   * organizations the caller administers are then answered `false`.
   */
  @Post('authz/check')
  @HttpCode(200)
  @Authorize('read', 'all', BATCH)
  @ApiOkResponse({ type: CheckResultsDto })
  @ApiProblems(CommonErrorCode.FORBIDDEN)
  @ApiOperation({ operationId: 'checkPermissions' })
  check(
    @Body() body: CheckPermissionsDto,
    @CurrentCredential() credential: Credential,
  ): Promise<CheckResultsDto> {
    return this.authz.check(credential, body);
  }

  /** The actions the caller may take on the organization; 404 when they may not know it exists. */
  @Get('organizations/:orgId/permissions')
  @Authorize('discover', 'Organization', BATCH)
  @ApiProblems(CommonErrorCode.NOT_FOUND)
  @ApiOperation({ operationId: 'getOrganizationPermissions' })
  organization(
    @UuidParam('orgId') orgId: string,
    @CurrentCredential() credential: Credential,
  ): Promise<OrganizationPermissionsDto> {
    return this.authz.organizationPermissions(credential, orgId);
  }

  /** The actions the caller may take on the project; 404 when they may not know it exists. */
  @Get('projects/:id/permissions')
  @Authorize('discover', 'Resource', BATCH)
  @ApiProblems(CommonErrorCode.NOT_FOUND)
  @ApiOperation({ operationId: 'getProjectPermissions' })
  project(
    @UuidParam('id') id: string,
    @CurrentCredential() credential: Credential,
  ): Promise<ResourcePermissionsDto> {
    return this.authz.resourcePermissions(credential, 'project', id);
  }

  /** The actions the caller may take on the dataset; 404 when they may not know it exists. */
  @Get('datasets/:id/permissions')
  @Authorize('discover', 'Resource', BATCH)
  @ApiProblems(CommonErrorCode.NOT_FOUND)
  @ApiOperation({ operationId: 'getDatasetPermissions' })
  dataset(
    @UuidParam('id') id: string,
    @CurrentCredential() credential: Credential,
  ): Promise<ResourcePermissionsDto> {
    return this.authz.resourcePermissions(credential, 'dataset', id);
  }

  /** The actions the caller may take on the ontology; 404 when they may not know it exists. */
  @Get('ontologies/:id/permissions')
  @Authorize('discover', 'Resource', BATCH)
  @ApiProblems(CommonErrorCode.NOT_FOUND)
  @ApiOperation({ operationId: 'getOntologyPermissions' })
  ontology(
    @UuidParam('id') id: string,
    @CurrentCredential() credential: Credential,
  ): Promise<ResourcePermissionsDto> {
    return this.authz.resourcePermissions(credential, 'ontology', id);
  }
}
