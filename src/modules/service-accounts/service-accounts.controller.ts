import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AnswersSecret } from '../../common/answers-secret.decorator';
import { ApiProblems } from '../../common/api-problems.decorator';
import { PageQuery } from '../../common/pagination';
import { UuidParam } from '../../common/uuid-param';
import { Authorize } from '../../policy/authorize.decorator';
import { CurrentPolicy, RequestPolicy } from '../../policy/current-policy.decorator';
import { MembershipErrorCode } from '../membership/membership.errors';
import {
  ApiKeyDto,
  ApiKeyPage,
  CreateApiKeyDto,
  CreatedApiKeyDto,
  CreateServiceAccountDto,
  DeleteServiceAccountQuery,
  ServiceAccountDto,
  ServiceAccountPage,
  UpdateServiceAccountDto,
} from './dto/service-account.dto';
import { ServiceAccountErrorCode } from './service-accounts.errors';
import { ServiceAccountsService } from './service-accounts.service';

const ORGANIZATION = { type: 'organization' } as const;

@ApiTags('service-accounts')
@Controller('organizations/:orgId/service-accounts')
export class ServiceAccountsController {
  constructor(private readonly accounts: ServiceAccountsService) {}

  /** The organization's service accounts, oldest first (admins only). */
  @Get()
  @Authorize('read', 'ServiceAccount', ORGANIZATION)
  @ApiOperation({ operationId: 'listServiceAccounts' })
  list(@UuidParam('orgId') orgId: string, @Query() query: PageQuery): Promise<ServiceAccountPage> {
    return this.accounts.list(orgId, query);
  }

  /**
   * Creates a service account, an `admin` or `member` of the organization that signs in with API keys
   * only (admins only). Put it in groups and invite it to resources (by its `email`) like anyone.
   */
  @Post()
  @Authorize('create', 'ServiceAccount', ORGANIZATION)
  @ApiOperation({ operationId: 'createServiceAccount' })
  create(
    @UuidParam('orgId') orgId: string,
    @Body() body: CreateServiceAccountDto,
    @CurrentPolicy() policy: RequestPolicy,
  ): Promise<ServiceAccountDto> {
    return this.accounts.create(policy.ctx.caller.userId, orgId, body);
  }

  /** One service account (admins only). */
  @Get(':id')
  @Authorize('read', 'ServiceAccount', ORGANIZATION)
  @ApiOperation({ operationId: 'getServiceAccount' })
  get(@UuidParam('orgId') orgId: string, @UuidParam('id') id: string): Promise<ServiceAccountDto> {
    return this.accounts.get(orgId, id);
  }

  /** Renames a service account, or disables it (its keys are refused at once) or enables it (admins only). */
  @Patch(':id')
  @Authorize('update', 'ServiceAccount', ORGANIZATION)
  @ApiOperation({ operationId: 'updateServiceAccount' })
  update(
    @UuidParam('orgId') orgId: string,
    @UuidParam('id') id: string,
    @Body() body: UpdateServiceAccountDto,
    @CurrentPolicy() policy: RequestPolicy,
  ): Promise<ServiceAccountDto> {
    return this.accounts.update(policy.ctx.caller.userId, orgId, id, body);
  }

  /**
   * Deletes a service account: its keys stop working at once, and its rights go as a removed
   * member's do (name a `replacementUserId` when it is the only admin of resources; admins only).
   */
  @Delete(':id')
  @HttpCode(204)
  @Authorize('delete', 'ServiceAccount', ORGANIZATION)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiOperation({ operationId: 'deleteServiceAccount' })
  @ApiProblems(
    MembershipErrorCode.LAST_ADMIN,
    MembershipErrorCode.REPLACEMENT_REQUIRED,
    MembershipErrorCode.INVALID_REPLACEMENT,
  )
  async delete(
    @UuidParam('orgId') orgId: string,
    @UuidParam('id') id: string,
    @Query() query: DeleteServiceAccountQuery,
    @CurrentPolicy() policy: RequestPolicy,
  ): Promise<void> {
    await this.accounts.delete(policy.ctx.caller.userId, orgId, id, query.replacementUserId);
  }

  /** A service account's API keys, without their secrets (admins only). */
  @Get(':id/keys')
  @Authorize('read', 'ServiceAccount', ORGANIZATION)
  @ApiOperation({ operationId: 'listApiKeys' })
  listKeys(
    @UuidParam('orgId') orgId: string,
    @UuidParam('id') id: string,
    @Query() query: PageQuery,
  ): Promise<ApiKeyPage> {
    return this.accounts.listKeys(orgId, id, query);
  }

  /**
   * Creates an API key for the service account; its `secret` is in this answer only (admins only).
   * Keys overlap freely (at most 10 per account): create the new one, deploy it, revoke the old one.
   * `Idempotency-Key` is not taken here: the answer is never stored, so a retry makes another key.
   */
  @Post(':id/keys')
  @AnswersSecret()
  @Authorize('update', 'ServiceAccount', ORGANIZATION)
  @ApiOperation({ operationId: 'createApiKey' })
  @ApiProblems(ServiceAccountErrorCode.INVALID_EXPIRY, ServiceAccountErrorCode.TOO_MANY_API_KEYS)
  createKey(
    @UuidParam('orgId') orgId: string,
    @UuidParam('id') id: string,
    @Body() body: CreateApiKeyDto,
    @CurrentPolicy() policy: RequestPolicy,
  ): Promise<CreatedApiKeyDto> {
    return this.accounts.createKey(policy.ctx.caller.userId, orgId, id, body);
  }

  /** One API key, without its secret (admins only). */
  @Get(':id/keys/:keyId')
  @Authorize('read', 'ServiceAccount', ORGANIZATION)
  @ApiOperation({ operationId: 'getApiKey' })
  getKey(
    @UuidParam('orgId') orgId: string,
    @UuidParam('id') id: string,
    @UuidParam('keyId') keyId: string,
  ): Promise<ApiKeyDto> {
    return this.accounts.getKey(orgId, id, keyId);
  }

  /** Revokes an API key: it is refused from the next request on (admins only). */
  @Delete(':id/keys/:keyId')
  @HttpCode(204)
  @Authorize('update', 'ServiceAccount', ORGANIZATION)
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiOperation({ operationId: 'revokeApiKey' })
  async revokeKey(
    @UuidParam('orgId') orgId: string,
    @UuidParam('id') id: string,
    @UuidParam('keyId') keyId: string,
    @CurrentPolicy() policy: RequestPolicy,
  ): Promise<void> {
    await this.accounts.revokeKey(policy.ctx.caller.userId, orgId, id, keyId);
  }
}
