import { Body, Controller, Delete, Get, Header, HttpCode, Param, Patch, Post, Put, Query, Res, UseFilters } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiExtension,
  ApiExtraModels,
  ApiOperation,
  ApiProduces,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { applyDecorators } from '@nestjs/common';
import { AuthorizeCaller } from '../../policy/authorize.decorator';
import { CurrentPolicy, RequestPolicy } from '../../policy/current-policy.decorator';
import { ApiProblems } from '../../common/api-problems.decorator';
import { CommonErrorCode } from '../../common/app-error';
import {
  ScimDiscoveryDto,
  ScimErrorDto,
  ScimGroupDto,
  ScimGroupInputDto,
  ScimGroupListDto,
  ScimListQuery,
  ScimPatchOpDto,
  ScimUserDto,
  ScimUserInputDto,
  ScimUserListDto,
} from './dto/scim.dto';
import { SCIM_MEDIA_TYPE, ScimErrorsFilter } from './scim-errors.filter';
import { resourceTypes, schemas, serviceProviderConfig } from './scim-discovery';
import { groupResource, listResponse, userResource } from './scim-representation';
import { GroupErrorCode } from '../groups/groups.errors';
import { MembershipErrorCode } from '../membership/membership.errors';
import { QuotaErrorCode } from '../quotas/quotas.errors';
import { ScimErrorCode } from './scim.errors';
import { ScimService } from './scim.service';

/** Every SCIM route: SCIM's media type both ways, and its errors in SCIM's shape (see openapi-contract.ts). */
const Scim = (status: number, type: object | undefined, ...codes: string[]) =>
  applyDecorators(
    AuthorizeCaller(),
    ApiProblems(ScimErrorCode.SCIM_KEY_REQUIRED, ...codes),
    ApiProduces(SCIM_MEDIA_TYPE),
    ApiResponse(type ? { status, type: type as never } : { status }),
    ApiExtension('x-error-format', { mediaType: SCIM_MEDIA_TYPE, schema: getSchemaPath(ScimErrorDto) }),
    Header('Content-Type', SCIM_MEDIA_TYPE),
  );

const ScimBody = (type: object) => applyDecorators(ApiConsumes(SCIM_MEDIA_TYPE, 'application/json'), ApiBody({ type: type as never }));

const LIST_CODES = [ScimErrorCode.SCIM_INVALID_FILTER, CommonErrorCode.VALIDATION_FAILED];
const WRITE_CODES = [
  ScimErrorCode.SCIM_INVALID_VALUE,
  ScimErrorCode.SCIM_INVALID_PATH,
  ScimErrorCode.SCIM_UNIQUENESS,
  CommonErrorCode.FORBIDDEN,
];

/**
 * SCIM 2.0 (RFC 7643, 7644) for the organization of the calling service account: its identity
 * provider (Okta, Entra ID) creates, updates and removes the organization's users and groups.
 */
@ApiTags('scim')
@ApiExtraModels(ScimErrorDto)
@UseFilters(ScimErrorsFilter)
@Controller('scim/v2')
export class ScimController {
  constructor(private readonly scim: ScimService) {}

  /** What this SCIM service supports: PATCH and filtering, not bulk, sorting, ETags or password changes. */
  @Get('ServiceProviderConfig')
  @ApiOperation({ operationId: 'getScimServiceProviderConfig' })
  @Scim(200, ScimDiscoveryDto)
  async serviceProviderConfig(@CurrentPolicy() policy: RequestPolicy) {
    await this.scim.scopeOf(policy.ctx.caller);
    return serviceProviderConfig();
  }

  /** The User and Group schemas, with the attributes this service keeps. */
  @Get('Schemas')
  @ApiOperation({ operationId: 'listScimSchemas' })
  @Scim(200, ScimDiscoveryDto)
  async schemas(@CurrentPolicy() policy: RequestPolicy) {
    await this.scim.scopeOf(policy.ctx.caller);
    return schemas();
  }

  /** The two resource types: User and Group. */
  @Get('ResourceTypes')
  @ApiOperation({ operationId: 'listScimResourceTypes' })
  @Scim(200, ScimDiscoveryDto)
  async resourceTypes(@CurrentPolicy() policy: RequestPolicy) {
    await this.scim.scopeOf(policy.ctx.caller);
    return resourceTypes();
  }

  /** The organization's internal users and the deactivated users SCIM provisioned, by userName. */
  @Get('Users')
  @ApiOperation({ operationId: 'listScimUsers' })
  @Scim(200, ScimUserListDto, ...LIST_CODES)
  async listUsers(@CurrentPolicy() policy: RequestPolicy, @Query() query: ScimListQuery) {
    const scope = await this.scim.scopeOf(policy.ctx.caller);
    const page = await this.scim.listUsers(scope, query.filter, query.startIndex ?? 1, query.count ?? 100);
    return listResponse(page, page.rows.map(userResource));
  }

  /** Provisions a user: a member of the organization, an admin with the role `admin`; `active: false` gives no access. */
  @Post('Users')
  @ApiOperation({ operationId: 'createScimUser' })
  @ScimBody(ScimUserInputDto)
  @Scim(201, ScimUserDto, ...WRITE_CODES, MembershipErrorCode.ALREADY_MEMBER, MembershipErrorCode.ALREADY_INTERNAL_ELSEWHERE, MembershipErrorCode.DOMAIN_OF_OTHER_ORGANIZATION, QuotaErrorCode.QUOTA_EXCEEDED)
  async createUser(
    @CurrentPolicy() policy: RequestPolicy,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const scope = await this.scim.scopeOf(policy.ctx.caller);
    const user = userResource(await this.scim.createUser(scope, body));
    void reply.header('Location', user.meta.location);
    return user;
  }

  /** One user of the organization (or a deactivated user SCIM provisioned). */
  @Get('Users/:id')
  @ApiOperation({ operationId: 'getScimUser' })
  @Scim(200, ScimUserDto, CommonErrorCode.NOT_FOUND)
  async getUser(@CurrentPolicy() policy: RequestPolicy, @Param('id') id: string) {
    const scope = await this.scim.scopeOf(policy.ctx.caller);
    return userResource(await this.scim.getUser(scope, id));
  }

  /** Replaces the user's attributes; `active: false` removes them from the organization under an admin's removal rules. */
  @Put('Users/:id')
  @ApiOperation({ operationId: 'replaceScimUser' })
  @ScimBody(ScimUserInputDto)
  @Scim(200, ScimUserDto, CommonErrorCode.NOT_FOUND, ...WRITE_CODES, MembershipErrorCode.LAST_ADMIN, MembershipErrorCode.ADMIN_NOT_REMOVABLE, MembershipErrorCode.REPLACEMENT_REQUIRED, MembershipErrorCode.ALREADY_INTERNAL_ELSEWHERE, MembershipErrorCode.DOMAIN_OF_OTHER_ORGANIZATION)
  async replaceUser(@CurrentPolicy() policy: RequestPolicy, @Param('id') id: string, @Body() body: unknown) {
    const scope = await this.scim.scopeOf(policy.ctx.caller);
    return userResource(await this.scim.replaceUser(scope, id, body));
  }

  /** The `add`, `replace` and `remove` operations Okta and Entra ID send (`active`, name parts, `externalId`, `roles`). */
  @Patch('Users/:id')
  @ApiOperation({ operationId: 'patchScimUser' })
  @ScimBody(ScimPatchOpDto)
  @Scim(200, ScimUserDto, CommonErrorCode.NOT_FOUND, ...WRITE_CODES, MembershipErrorCode.LAST_ADMIN, MembershipErrorCode.ADMIN_NOT_REMOVABLE, MembershipErrorCode.REPLACEMENT_REQUIRED, MembershipErrorCode.ALREADY_INTERNAL_ELSEWHERE, MembershipErrorCode.DOMAIN_OF_OTHER_ORGANIZATION)
  async patchUser(@CurrentPolicy() policy: RequestPolicy, @Param('id') id: string, @Body() body: unknown) {
    const scope = await this.scim.scopeOf(policy.ctx.caller);
    return userResource(await this.scim.patchUser(scope, id, body));
  }

  /** Deprovisions: the user leaves the organization (refused, with the reason, if they alone administer resources). */
  @Delete('Users/:id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteScimUser' })
  @Scim(204, undefined, CommonErrorCode.NOT_FOUND, CommonErrorCode.FORBIDDEN, MembershipErrorCode.LAST_ADMIN, MembershipErrorCode.ADMIN_NOT_REMOVABLE, MembershipErrorCode.REPLACEMENT_REQUIRED)
  async deleteUser(@CurrentPolicy() policy: RequestPolicy, @Param('id') id: string): Promise<void> {
    const scope = await this.scim.scopeOf(policy.ctx.caller);
    await this.scim.deleteUser(scope, id);
  }

  /** The organization's groups, by name; `excludedAttributes=members` leaves members out. */
  @Get('Groups')
  @ApiOperation({ operationId: 'listScimGroups' })
  @Scim(200, ScimGroupListDto, ...LIST_CODES)
  async listGroups(@CurrentPolicy() policy: RequestPolicy, @Query() query: ScimListQuery) {
    const scope = await this.scim.scopeOf(policy.ctx.caller);
    const page = await this.scim.listGroups(scope, query.filter, query.startIndex ?? 1, query.count ?? 100);
    const withMembers = !/(^|,)\s*members\s*(,|$)/i.test(query.excludedAttributes ?? '');
    return listResponse(page, page.rows.map((row) => groupResource(row, withMembers)));
  }

  /** Creates a group of the organization's users. */
  @Post('Groups')
  @ApiOperation({ operationId: 'createScimGroup' })
  @ScimBody(ScimGroupInputDto)
  @Scim(201, ScimGroupDto, ...WRITE_CODES, GroupErrorCode.GROUP_NAME_TAKEN, GroupErrorCode.NOT_ORG_USER, QuotaErrorCode.QUOTA_EXCEEDED)
  async createGroup(
    @CurrentPolicy() policy: RequestPolicy,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const scope = await this.scim.scopeOf(policy.ctx.caller);
    const group = groupResource(await this.scim.createGroup(scope, body), true);
    void reply.header('Location', group.meta.location);
    return group;
  }

  /** One group of the organization, with its members. */
  @Get('Groups/:id')
  @ApiOperation({ operationId: 'getScimGroup' })
  @Scim(200, ScimGroupDto, CommonErrorCode.NOT_FOUND)
  async getGroup(@CurrentPolicy() policy: RequestPolicy, @Param('id') id: string) {
    const scope = await this.scim.scopeOf(policy.ctx.caller);
    return groupResource(await this.scim.getGroup(scope, id), true);
  }

  /** Replaces the group's name and members, in one transaction. */
  @Put('Groups/:id')
  @ApiOperation({ operationId: 'replaceScimGroup' })
  @ScimBody(ScimGroupInputDto)
  @Scim(200, ScimGroupDto, CommonErrorCode.NOT_FOUND, ...WRITE_CODES, GroupErrorCode.GROUP_NAME_TAKEN, GroupErrorCode.NOT_ORG_USER)
  async replaceGroup(@CurrentPolicy() policy: RequestPolicy, @Param('id') id: string, @Body() body: unknown) {
    const scope = await this.scim.scopeOf(policy.ctx.caller);
    return groupResource(await this.scim.replaceGroup(scope, id, body), true);
  }

  /** Renames, and adds or removes members (`members`, `members[value eq "<id>"]`), in one transaction. */
  @Patch('Groups/:id')
  @ApiOperation({ operationId: 'patchScimGroup' })
  @ScimBody(ScimPatchOpDto)
  @Scim(200, ScimGroupDto, CommonErrorCode.NOT_FOUND, ...WRITE_CODES, GroupErrorCode.GROUP_NAME_TAKEN, GroupErrorCode.NOT_ORG_USER)
  async patchGroup(@CurrentPolicy() policy: RequestPolicy, @Param('id') id: string, @Body() body: unknown) {
    const scope = await this.scim.scopeOf(policy.ctx.caller);
    return groupResource(await this.scim.patchGroup(scope, id, body), true);
  }

  /** Deletes the group; the roles its members held through it go with it. */
  @Delete('Groups/:id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteScimGroup' })
  @Scim(204, undefined, CommonErrorCode.NOT_FOUND, CommonErrorCode.FORBIDDEN)
  async deleteGroup(@CurrentPolicy() policy: RequestPolicy, @Param('id') id: string): Promise<void> {
    const scope = await this.scim.scopeOf(policy.ctx.caller);
    await this.scim.deleteGroup(scope, id);
  }
}
