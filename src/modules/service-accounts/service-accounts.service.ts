import { randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Page, PageQuery } from '../../common/pagination';
import { AuditService } from '../audit/audit.service';
import { MembershipService } from '../membership/membership.service';
import { NewMembershipsService } from '../membership/new-memberships.service';
import { apiKeyPrefix, generateApiKey } from './api-key-secret';
import {
  ApiKeyDto,
  CreateApiKeyDto,
  CreatedApiKeyDto,
  CreateServiceAccountDto,
  ServiceAccountDto,
  UpdateServiceAccountDto,
} from './dto/service-account.dto';
import { MAX_API_KEYS_PER_ACCOUNT, ServiceAccountErrors } from './service-accounts.errors';
import { ServiceAccountsRepository, ServiceAccountState } from './service-accounts.repository';

/** Service accounts' addresses: reserved for documentation and tests (RFC 2606), so never delivered. */
const SERVICE_ACCOUNT_EMAIL_DOMAIN = 'service-accounts.invalid';

/** The last instant an expiry may name: PostgreSQL and ISO 8601 agree on four-digit years. */
const LATEST_EXPIRY = Date.parse('9999-12-31T23:59:59Z');

/**
 * Service accounts of an organization and their API keys. An account is a user (so groups,
 * collaborators and the policy engine treat it as anyone) whose one membership is in its
 * organization; every change of it or of its keys runs under the account's row lock and is audited.
 */
@Injectable()
export class ServiceAccountsService {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
    private readonly accounts: ServiceAccountsRepository,
    private readonly newMemberships: NewMembershipsService,
    private readonly memberships: MembershipService,
  ) {}

  list(organizationId: string, query: PageQuery): Promise<Page<ServiceAccountDto>> {
    return this.accounts.page(this.em.fork(), organizationId, query);
  }

  async create(
    actorId: string,
    organizationId: string,
    input: CreateServiceAccountDto,
  ): Promise<ServiceAccountDto> {
    const id = randomUUID();
    await this.em.transactional(async (em) => {
      const email = `${id}@${SERVICE_ACCOUNT_EMAIL_DOMAIN}`;
      await this.accounts.insert(em, { id, organizationId, name: input.name, email });
      await this.newMemberships.addServiceAccount(em, organizationId, id, input.type);
      this.audit.record(em, {
        organizationId,
        actorId,
        action: 'service_account.created',
        targetType: 'user',
        targetId: id,
        data: { after: { name: input.name, type: input.type, email } },
      });
      await em.flush();
    });
    return this.get(organizationId, id);
  }

  /** Renames, disables or enables the account. */
  async update(
    actorId: string,
    organizationId: string,
    id: string,
    input: UpdateServiceAccountDto,
  ): Promise<ServiceAccountDto> {
    await this.em.transactional(async (em) => {
      const before = await this.lock(em, organizationId, id);
      const after: ServiceAccountState = {
        name: input.name ?? before.name,
        disabled: input.disabled ?? before.disabled,
      };
      if (after.name === before.name && after.disabled === before.disabled) return;
      await this.accounts.update(em, id, after);
      this.audit.record(em, {
        organizationId,
        actorId,
        action: 'service_account.updated',
        targetType: 'user',
        targetId: id,
        data: { before, after },
      });
      await em.flush();
    });
    return this.get(organizationId, id);
  }

  /**
   * Deletes the account: its keys at once, then its membership as a member's removal takes it (its
   * rights, with the hand-over of resources it alone administers to `replacementUserId`). An admin
   * account is deleted by the organization's admins too (they made it), unless it is the last admin.
   */
  async delete(
    actorId: string,
    organizationId: string,
    id: string,
    replacementUserId: string | undefined,
  ): Promise<void> {
    await this.em.transactional(async (em) => {
      const deleted = await this.accounts.markDeleted(em, organizationId, id);
      if (!deleted) throw ServiceAccountErrors.serviceAccountNotFound();
      const keysRevoked = await this.accounts.deleteKeysOf(em, id);
      await this.memberships.removeInTransaction(em, actorId, organizationId, id, replacementUserId);
      this.audit.record(em, {
        organizationId,
        actorId,
        action: 'service_account.deleted',
        targetType: 'user',
        targetId: id,
        data: { before: { name: deleted.name }, keysRevoked },
      });
      await em.flush();
    });
  }

  async listKeys(organizationId: string, id: string, query: PageQuery): Promise<Page<ApiKeyDto>> {
    const em = this.em.fork();
    if (!(await this.accounts.find(em, organizationId, id)))
      throw ServiceAccountErrors.serviceAccountNotFound();
    return this.accounts.pageKeys(em, organizationId, id, query);
  }

  /** A new key; its secret is in this answer only. A disabled account's new key works once it is enabled. */
  async createKey(
    actorId: string,
    organizationId: string,
    id: string,
    input: CreateApiKeyDto,
  ): Promise<CreatedApiKeyDto> {
    const expiresAt = input.expiresAt === undefined ? null : new Date(input.expiresAt);
    if (expiresAt && (expiresAt.getTime() <= Date.now() || expiresAt.getTime() > LATEST_EXPIRY))
      throw ServiceAccountErrors.invalidExpiry();
    const generated = generateApiKey();
    const key = await this.em.transactional(async (em) => {
      await this.lock(em, organizationId, id);
      if ((await this.accounts.keyCount(em, id)) >= MAX_API_KEYS_PER_ACCOUNT)
        throw ServiceAccountErrors.tooManyKeys();
      const created = await this.accounts.insertKey(em, {
        organizationId,
        serviceAccountId: id,
        name: input.name,
        publicId: generated.publicId,
        keyHash: generated.keyHash,
        expiresAt,
      });
      this.audit.record(em, {
        organizationId,
        actorId,
        action: 'api_key.created',
        targetType: 'api_key',
        targetId: created.id,
        data: {
          serviceAccountId: id,
          name: created.name,
          prefix: created.prefix,
          expiresAt: created.expiresAt,
        },
      });
      await em.flush();
      return created;
    });
    return { ...key, secret: generated.key };
  }

  /**
   * Revokes a key: refused from the next request on. The access tokens the account's keys were traded
   * for (client_credentials) end too, since a token does not say which key it came from; the other keys
   * get new ones.
   */
  async revokeKey(actorId: string, organizationId: string, id: string, keyId: string): Promise<void> {
    await this.em.transactional(async (em) => {
      await this.lock(em, organizationId, id);
      const revoked = await this.accounts.deleteKey(em, organizationId, id, keyId);
      if (!revoked) throw ServiceAccountErrors.apiKeyNotFound();
      await this.accounts.endTokens(em, id);
      this.audit.record(em, {
        organizationId,
        actorId,
        action: 'api_key.revoked',
        targetType: 'api_key',
        targetId: keyId,
        data: { serviceAccountId: id, name: revoked.name, prefix: apiKeyPrefix(revoked.public_id) },
      });
      await em.flush();
    });
  }

  async getKey(organizationId: string, id: string, keyId: string): Promise<ApiKeyDto> {
    const key = await this.accounts.findKey(this.em.fork(), organizationId, id, keyId);
    if (!key) throw ServiceAccountErrors.apiKeyNotFound();
    return key;
  }

  async get(organizationId: string, id: string): Promise<ServiceAccountDto> {
    const account = await this.accounts.find(this.em.fork(), organizationId, id);
    if (!account) throw ServiceAccountErrors.serviceAccountNotFound();
    return account;
  }

  private async lock(em: EntityManager, organizationId: string, id: string): Promise<ServiceAccountState> {
    const state = await this.accounts.lock(em, organizationId, id);
    if (!state) throw ServiceAccountErrors.serviceAccountNotFound();
    return state;
  }
}
