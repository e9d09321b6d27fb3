import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { preciseTimeSql } from '../../common/keyset-time';
import { CursorElements, keysetCursor, Page } from '../../common/pagination';
import { isoTime } from '../../common/sql';
import { sql } from '../../database/sql';
import { apiKeyPrefix } from './api-key-secret';
import { ApiKeyDto, ServiceAccountDto, ServiceAccountType } from './dto/service-account.dto';

interface ServiceAccountRow {
  id: string;
  name: string;
  email: string;
  type: ServiceAccountType;
  disabled: boolean;
  created_at: Date | string;
  created_key: string;
}

interface ApiKeyRow {
  id: string;
  name: string;
  public_id: string;
  created_at: Date | string;
  last_used_at: Date | string | null;
  expires_at: Date | string | null;
  created_key: string;
}

const toServiceAccountDto = (row: ServiceAccountRow): ServiceAccountDto => ({
  id: row.id,
  name: row.name,
  email: row.email,
  type: row.type,
  disabled: row.disabled,
  createdAt: isoTime(row.created_at),
});

const toApiKeyDto = (row: ApiKeyRow): ApiKeyDto => ({
  id: row.id,
  name: row.name,
  prefix: apiKeyPrefix(row.public_id),
  createdAt: isoTime(row.created_at),
  lastUsedAt: row.last_used_at === null ? null : isoTime(row.last_used_at),
  expiresAt: row.expires_at === null ? null : isoTime(row.expires_at),
});

/** A live service account of the organization with its type there (its membership). */
const SELECT_SERVICE_ACCOUNT = `select u.id, u.name, u.email, m.type, (u.disabled_at is not null) as disabled, u.created_at,
       ${preciseTimeSql('u.created_at')} as created_key
  from users u
  join memberships m on m.organization_id = u.service_account_organization_id and m.user_id = u.id
 where u.service_account_organization_id = ? and u.deleted_at is null`;

const SELECT_API_KEY = `select id, name, public_id, created_at, last_used_at, expires_at,
       ${preciseTimeSql('created_at')} as created_key
  from api_keys`;

/**
 * Who a key names: its service account while the key has not expired (the instant it expires, it is
 * refused) and the account is neither disabled nor deleted. Revoked keys have no row. One lookup in
 * api_keys_key_hash_unique, then the account by its primary key.
 */
const KEY_HOLDER_SQL = `from api_keys k join users u on u.id = k.service_account_id
 where k.key_hash = ? and (k.expires_at is null or k.expires_at > now())
   and u.disabled_at is null and u.deleted_at is null`;

/** The caller statement of an API key, embedded by the policy guard in its scope query. */
export const API_KEY_CALLER_SQL = `select u.id, u.is_platform_admin ${KEY_HOLDER_SQL}`;

/** Accounts by (creation time, id); keys likewise. */
const CREATED_CURSOR = keysetCursor(CursorElements.timestamp, CursorElements.uuid);

export interface ServiceAccountState {
  name: string;
  disabled: boolean;
}

/**
 * The SQL of service accounts (their `users` rows: the service-accounts module writes the rows it
 * creates) and of their API keys (`api_keys`, its own table). Every statement names the organization
 * from the path, so another organization's account or key is never served.
 */
@Injectable()
export class ServiceAccountsRepository {
  async insert(
    em: EntityManager,
    account: { id: string; organizationId: string; name: string; email: string },
  ): Promise<void> {
    await sql(
      em,
      `insert into users (id, email, name, service_account_organization_id, created_at) values (?, ?, ?, ?, clock_timestamp())`,
      [account.id, account.email, account.name, account.organizationId],
    );
  }

  /** Oldest first, the order of users_service_accounts_idx. */
  async page(
    em: EntityManager,
    organizationId: string,
    query: { limit: number; cursor?: string },
  ): Promise<Page<ServiceAccountDto>> {
    const after = CREATED_CURSOR.decode(query.cursor);
    const params: unknown[] = [organizationId];
    let keyset = '';
    if (after) {
      keyset = 'and (u.created_at, u.id) > (?::timestamptz, ?::uuid)';
      params.push(after[0], after[1]);
    }
    const rows = await sql<ServiceAccountRow>(
      em,
      `${SELECT_SERVICE_ACCOUNT} ${keyset} order by u.created_at, u.id limit ?`,
      [...params, query.limit + 1],
    );
    return CREATED_CURSOR.page(rows, query.limit, (row) => [row.created_key, row.id], toServiceAccountDto);
  }

  async find(em: EntityManager, organizationId: string, id: string): Promise<ServiceAccountDto | undefined> {
    const [row] = await sql<ServiceAccountRow>(em, `${SELECT_SERVICE_ACCOUNT} and u.id = ?`, [
      organizationId,
      id,
    ]);
    return row ? toServiceAccountDto(row) : undefined;
  }

  /**
   * The live account's state under its row lock (`no key update`: grants referencing the user need not
   * wait). Every change of an account and of its keys takes it first, so they run one after another.
   */
  async lock(
    em: EntityManager,
    organizationId: string,
    id: string,
  ): Promise<ServiceAccountState | undefined> {
    const [row] = await sql<{ name: string; disabled: boolean }>(
      em,
      `select name, (disabled_at is not null) as disabled from users
        where id = ? and service_account_organization_id = ? and deleted_at is null
          for no key update`,
      [id, organizationId],
    );
    return row;
  }

  /**
   * Renames, disables or enables the (locked) account. Disabling also ends the access tokens its keys
   * were traded for (`credential_version`, carried by our tokens).
   */
  async update(em: EntityManager, id: string, after: ServiceAccountState): Promise<void> {
    await sql(
      em,
      `update users set name = ?,
              disabled_at = case when ?::boolean then coalesce(disabled_at, now()) else null end,
              credential_version = credential_version + case when ?::boolean and disabled_at is null then 1 else 0 end
        where id = ?`,
      [after.name, after.disabled, after.disabled, id],
    );
  }

  /**
   * Marks the live account deleted (and disabled), ending its tokens; the row stays so that what it
   * created keeps its owner and the audit log its name. Undefined when there is no such live account.
   */
  async markDeleted(
    em: EntityManager,
    organizationId: string,
    id: string,
  ): Promise<{ name: string } | undefined> {
    const [row] = await sql<{ name: string }>(
      em,
      `update users set deleted_at = now(), disabled_at = coalesce(disabled_at, now()),
              credential_version = credential_version + 1
        where id = ? and service_account_organization_id = ? and deleted_at is null
        returning name`,
      [id, organizationId],
    );
    return row;
  }

  /** Ends the access tokens that the account's keys were traded for (a key was revoked). */
  async endTokens(em: EntityManager, id: string): Promise<void> {
    await sql(em, `update users set credential_version = credential_version + 1 where id = ?`, [id]);
  }

  async insertKey(
    em: EntityManager,
    key: {
      organizationId: string;
      serviceAccountId: string;
      name: string;
      publicId: string;
      keyHash: string;
      expiresAt: Date | null;
    },
  ): Promise<ApiKeyDto> {
    const [row] = await sql<ApiKeyRow>(
      em,
      `insert into api_keys (id, created_at, organization_id, service_account_id, name, public_id, key_hash, expires_at)
       values (gen_random_uuid(), clock_timestamp(), ?, ?, ?, ?, ?, ?::timestamptz)
       returning id, name, public_id, created_at, last_used_at, expires_at, ${preciseTimeSql('created_at')} as created_key`,
      [key.organizationId, key.serviceAccountId, key.name, key.publicId, key.keyHash, key.expiresAt],
    );
    return toApiKeyDto(row);
  }

  async keyCount(em: EntityManager, serviceAccountId: string): Promise<number> {
    const [row] = await sql<{ count: string | number }>(
      em,
      `select count(*) as count from api_keys where service_account_id = ?`,
      [serviceAccountId],
    );
    return Number(row.count);
  }

  /** Oldest first, the order of api_keys_service_account_created_idx. */
  async pageKeys(
    em: EntityManager,
    organizationId: string,
    serviceAccountId: string,
    query: { limit: number; cursor?: string },
  ): Promise<Page<ApiKeyDto>> {
    const after = CREATED_CURSOR.decode(query.cursor);
    const params: unknown[] = [serviceAccountId, organizationId];
    let keyset = '';
    if (after) {
      keyset = 'and (created_at, id) > (?::timestamptz, ?::uuid)';
      params.push(after[0], after[1]);
    }
    const rows = await sql<ApiKeyRow>(
      em,
      `${SELECT_API_KEY} where service_account_id = ? and organization_id = ? ${keyset}
        order by created_at, id limit ?`,
      [...params, query.limit + 1],
    );
    return CREATED_CURSOR.page(rows, query.limit, (row) => [row.created_key, row.id], toApiKeyDto);
  }

  /** A key of a live account of the organization. */
  async findKey(
    em: EntityManager,
    organizationId: string,
    serviceAccountId: string,
    keyId: string,
  ): Promise<ApiKeyDto | undefined> {
    const [row] = await sql<ApiKeyRow>(
      em,
      `${SELECT_API_KEY} where id = ? and service_account_id = ? and organization_id = ?`,
      [keyId, serviceAccountId, organizationId],
    );
    return row ? toApiKeyDto(row) : undefined;
  }

  /** Revokes one key; undefined when the account has no such key (revoked already, or another's). */
  async deleteKey(
    em: EntityManager,
    organizationId: string,
    serviceAccountId: string,
    keyId: string,
  ): Promise<{ name: string; public_id: string } | undefined> {
    const [row] = await sql<{ name: string; public_id: string }>(
      em,
      `delete from api_keys where id = ? and service_account_id = ? and organization_id = ? returning name, public_id`,
      [keyId, serviceAccountId, organizationId],
    );
    return row;
  }

  async deleteKeysOf(em: EntityManager, serviceAccountId: string): Promise<number> {
    const rows = await sql(em, `delete from api_keys where service_account_id = ? returning id`, [
      serviceAccountId,
    ]);
    return rows.length;
  }

  /** The account a valid key names, with its credential version (for the tokens a key is traded for). */
  async holderOf(
    em: EntityManager,
    keyHash: string,
  ): Promise<{ id: string; credential_version: number } | undefined> {
    const [row] = await sql<{ id: string; credential_version: number }>(
      em,
      `select u.id, u.credential_version ${KEY_HOLDER_SQL}`,
      [keyHash],
      { name: 'api-key-holder' },
    );
    return row;
  }

  /**
   * Records a key's use, at most once a minute: a key used continuously costs one write a minute, and
   * an expired key is not marked used.
   */
  async touch(em: EntityManager, keyHash: string): Promise<void> {
    await sql(
      em,
      `update api_keys set last_used_at = now()
        where key_hash = ? and (last_used_at is null or last_used_at <= now() - interval '1 minute')
          and (expires_at is null or expires_at > now())`,
      [keyHash],
      { name: 'api-key-touch' },
    );
  }
}
