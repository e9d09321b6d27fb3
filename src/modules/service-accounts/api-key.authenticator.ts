import { EntityManager } from '@mikro-orm/postgresql';
import { ClientCredentialsVerifier, ClientPrincipal } from '../auth/client-credentials';
import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { safeErrorMessage } from '../../common/log-safe-error';
import { BearerAuthenticator } from '../../policy/bearer-authenticators';
import { BearerToken } from '../../policy/bearer-token';
import { Credential } from '../../policy/policy-context';
import { API_KEY_PREFIX, hashOfWellFormedKey } from './api-key-secret';
import { API_KEY_CALLER_SQL, ServiceAccountsRepository } from './service-accounts.repository';

/** How often a key's `lastUsedAt` is written at most (per key, per instance; the SQL checks it again). */
const LAST_USED_RESOLUTION_MS = 60_000;
/** Keys remembered as recently recorded; past it the memory starts over (one more write per key). */
const REMEMBERED_KEYS = 10_000;

/**
 * Records the last use of keys off the request path: the write is started after the policy guard
 * has confirmed the key, is not awaited by the request, and happens at most once a minute per key.
 */
@Injectable()
export class ApiKeyUsage implements BeforeApplicationShutdown {
  private readonly logger = new Logger(ApiKeyUsage.name);
  private readonly recordedAt = new Map<string, number>();
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly em: EntityManager,
    private readonly accounts: ServiceAccountsRepository,
  ) {}

  record(keyHash: string): void {
    const now = Date.now();
    const last = this.recordedAt.get(keyHash);
    if (last !== undefined && now - last < LAST_USED_RESOLUTION_MS) return;
    if (this.recordedAt.size >= REMEMBERED_KEYS) this.recordedAt.clear();
    this.recordedAt.set(keyHash, now);
    const write: Promise<void> = this.accounts
      .touch(this.em.fork(), keyHash)
      .catch((error: unknown) =>
        this.logger.warn(
          `could not record an API key's use: ${error instanceof Error ? safeErrorMessage(error) : String(error)}`,
        ),
      )
      .finally(() => this.pending.delete(write));
    this.pending.add(write);
  }

  /** Writes under way finish before the database pool closes. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }
}

/** The credential scheme of API keys, for features that serve only keys (SCIM). */
export const API_KEY_SCHEME = 'api-key';

/**
 * `Authorization: Bearer oak_...`: a service account's API key. The caller is the key's account, found
 * by the key's hash in the policy guard's one scope query, so a key revoked, expired or of a disabled
 * account is refused on the next request without a round trip of its own. A malformed key gets the
 * same 401 as an unknown one.
 */
@Injectable()
export class ApiKeyAuthenticator implements BearerAuthenticator {
  constructor(private readonly usage: ApiKeyUsage) {}

  claims(token: BearerToken): boolean {
    return token.value.startsWith(API_KEY_PREFIX);
  }

  authenticate(token: BearerToken): Credential | undefined {
    const keyHash = hashOfWellFormedKey(token.value);
    if (!keyHash) return undefined;
    return {
      scheme: API_KEY_SCHEME,
      callerSql: API_KEY_CALLER_SQL,
      params: [keyHash],
      confirmed: () => this.usage.record(keyHash),
    };
  }
}

/**
 * Verifies a key outside the bearer path, for the OAuth2 `client_credentials` grant: the account it
 * names and that account's credential version (to put in the access token, which disabling the account
 * or revoking a key then ends), or undefined for a key that is malformed, unknown, revoked, expired or
 * of a disabled account.
 */
@Injectable()
export class ApiKeyVerifier implements ClientCredentialsVerifier {
  constructor(
    private readonly em: EntityManager,
    private readonly accounts: ServiceAccountsRepository,
    private readonly usage: ApiKeyUsage,
  ) {}

  async verifyKey(key: string): Promise<{ userId: string; credentialVersion: number } | undefined> {
    const keyHash = hashOfWellFormedKey(key);
    if (!keyHash) return undefined;
    const holder = await this.accounts.holderOf(this.em.fork(), keyHash);
    if (!holder) return undefined;
    this.usage.record(keyHash);
    return { userId: holder.id, credentialVersion: Number(holder.credential_version) };
  }

  /**
   * `grant_type=client_credentials`: the key is the client secret and names its account on its own;
   * a `client_id`, when sent, must be that account's id.
   */
  async verify(clientId: string, clientSecret: string): Promise<ClientPrincipal | undefined> {
    const principal = await this.verifyKey(clientSecret);
    return principal && (clientId === '' || clientId === principal.userId) ? principal : undefined;
  }
}
