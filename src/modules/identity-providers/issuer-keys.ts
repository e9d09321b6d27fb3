import { readFile } from 'node:fs/promises';
import { Logger } from '@nestjs/common';
import {
  createLocalJWKSet,
  errors,
  FlattenedJWSInput,
  JSONWebKeySet,
  JWTHeaderParameters,
  KeyLike,
} from 'jose';

/** An unknown `kid` refetches the keys at most this often per issuer: a stream of forged kids costs one fetch a minute. */
export const KEY_REFRESH_COOLDOWN_MS = 60_000;
/** Keys older than this are fetched again on the next token, so a key the provider withdrew stops working. */
const KEYS_MAX_AGE_MS = 10 * 60_000;
const FETCH_TIMEOUT_MS = 5_000;
const MAX_JWKS_CHARACTERS = 512 * 1024;

type LocalKeySet = ReturnType<typeof createLocalJWKSet>;

/**
 * One issuer's public keys (its JWKS, from a URL or a file), cached. A token whose `kid` is not in the
 * cache refetches them, at most once a minute, and concurrent misses share the one fetch. When a fetch
 * fails the keys already held are kept (a provider's outage does not sign everyone out).
 */
export class IssuerKeys {
  private readonly logger = new Logger(IssuerKeys.name);
  private keys?: LocalKeySet;
  private loadedAt = -Infinity;
  private attemptedAt = -Infinity;
  private loading?: Promise<void>;

  constructor(
    private readonly issuer: string,
    private readonly source: { url: string } | { file: string },
  ) {}

  /** The key for a token's header, for `jwtVerify`; throws `JWKSNoMatchingKey` for a `kid` the issuer does not publish. */
  readonly key = async (header: JWTHeaderParameters, token: FlattenedJWSInput): Promise<KeyLike> => {
    if (!this.keys || Date.now() - this.loadedAt >= KEYS_MAX_AGE_MS) await this.refresh();
    if (!this.keys) throw new errors.JWKSNoMatchingKey();
    try {
      return await this.keys(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      await this.refresh();
      return await this.keys(header, token);
    }
  };

  /** Reads the keys now: a file that does not hold a key set stops the boot rather than every sign-in. */
  async load(): Promise<void> {
    this.attemptedAt = Date.now();
    this.keys = createLocalJWKSet(await this.read());
    this.loadedAt = this.attemptedAt;
  }

  /** Fetches the keys unless a fetch ran less than a minute ago; joins a fetch under way. */
  private refresh(): Promise<void> {
    if (this.loading) return this.loading;
    if (Date.now() - this.attemptedAt < KEY_REFRESH_COOLDOWN_MS) return Promise.resolve();
    this.loading = this.load()
      .catch((error: unknown) =>
        this.logger.warn({ issuer: this.issuer, err: error }, `keys of ${this.issuer} not refreshed`),
      )
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }

  private async read(): Promise<JSONWebKeySet> {
    let text: string;
    if ('file' in this.source) {
      text = await readFile(this.source.file, 'utf8');
    } else {
      // No redirects: a key set must come from the address the operator configured.
      const response = await fetch(this.source.url, {
        redirect: 'error',
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
        headers: { accept: 'application/json' },
      });
      if (!response.ok) throw new Error(`${this.source.url} answered ${response.status}`);
      text = await response.text();
    }
    if (text.length > MAX_JWKS_CHARACTERS) throw new Error('the key set is too large');
    const set = JSON.parse(text) as Partial<JSONWebKeySet> | null;
    if (!Array.isArray(set?.keys)) throw new Error('not a JWKS: no "keys" array');
    return set as JSONWebKeySet;
  }
}
