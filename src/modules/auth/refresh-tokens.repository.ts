import { createHash, randomBytes } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { sql } from '../../database/sql';
import { SessionEndReason } from './entities/refresh-token.entity';

/** A recognisable prefix (secret scanners, logs) and 256 random bits. */
const PREFIX = 'ort_';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

export interface SpentRefreshToken {
  familyId: string;
  userId: string;
  credentialVersion: number;
}

/** What a refresh token that cannot be spent is: unknown, or a token of a family, spent or not. */
export interface RefusedRefreshToken {
  familyId: string;
  userId: string;
  spent: boolean;
  familyLive: boolean;
}

/**
 * The SQL of sessions (`refresh_token_families`) and their refresh tokens. Tokens are opaque random
 * strings; only their SHA-256 is stored (a fast hash is enough for 256 random bits: there is nothing
 * to guess). Spending is one `update ... where used_at is null`: the database decides which of two
 * concurrent refreshes wins.
 */
@Injectable()
export class RefreshTokensRepository {
  /** A new session for the user, as of the credential version the login checked. */
  async startFamily(
    em: EntityManager,
    userId: string,
    credentialVersion: number,
    lifetimeSeconds: number,
  ): Promise<string> {
    const [family] = await sql<{ id: string }>(
      em,
      `insert into refresh_token_families (id, user_id, credential_version, expires_at, created_at)
       values (gen_random_uuid(), ?, ?, now() + make_interval(secs => ?::int), now())
       returning id`,
      [userId, credentialVersion, lifetimeSeconds],
    );
    return family.id;
  }

  /** The next token of the family, valid for `lifetimeSeconds` but never beyond the family's end. */
  async add(
    em: EntityManager,
    familyId: string,
    lifetimeSeconds: number,
  ): Promise<{ token: string; expiresAt: Date }> {
    const token = PREFIX + randomBytes(32).toString('base64url');
    const [row] = await sql<{ expires_at: Date }>(
      em,
      `insert into refresh_tokens (id, family_id, token_hash, expires_at, created_at)
       select gen_random_uuid(), f.id, ?, least(now() + make_interval(secs => ?::int), f.expires_at), now()
         from refresh_token_families f
        where f.id = ?
       returning expires_at`,
      [sha256(token), lifetimeSeconds, familyId],
    );
    return { token, expiresAt: row.expires_at };
  }

  /**
   * Spends a live token of a live session: the one statement that decides a refresh. Of two
   * concurrent calls with the same token, the second waits for the first's row lock, then finds
   * `used_at` set and spends nothing.
   */
  async spend(em: EntityManager, token: string): Promise<SpentRefreshToken | undefined> {
    const [row] = await sql<{ family_id: string; user_id: string; credential_version: number }>(
      em,
      `update refresh_tokens t set used_at = now()
         from refresh_token_families f, users u
        where t.token_hash = ? and t.used_at is null and t.expires_at > now()
          and f.id = t.family_id and f.revoked_at is null and f.expires_at > now()
          and u.id = f.user_id and u.credential_version = f.credential_version
       returning t.family_id, f.user_id, f.credential_version`,
      [sha256(token)],
      { name: 'refresh_token_spend' },
    );
    return row
      ? { familyId: row.family_id, userId: row.user_id, credentialVersion: row.credential_version }
      : undefined;
  }

  /** Why a token could not be spent, when it names a session at all. */
  async find(em: EntityManager, token: string): Promise<RefusedRefreshToken | undefined> {
    const [row] = await sql<{ family_id: string; user_id: string; spent: boolean; family_live: boolean }>(
      em,
      `select t.family_id, f.user_id, t.used_at is not null as spent,
              f.revoked_at is null and f.expires_at > now() as family_live
         from refresh_tokens t
         join refresh_token_families f on f.id = t.family_id
        where t.token_hash = ?`,
      [sha256(token)],
    );
    return row
      ? { familyId: row.family_id, userId: row.user_id, spent: row.spent, familyLive: row.family_live }
      : undefined;
  }

  /** Ends the session (and every access token carrying its id). False when it had already ended. */
  async revokeFamily(em: EntityManager, familyId: string, reason: SessionEndReason): Promise<boolean> {
    const rows = await sql(
      em,
      `update refresh_token_families set revoked_at = now(), revoked_reason = ?
        where id = ? and revoked_at is null
       returning id`,
      [reason, familyId],
    );
    return rows.length > 0;
  }

  /**
   * Forgets the user's sessions that can no longer be used: revoked, or expired longer ago than an
   * access token lives (an access token carrying a session id is refused once the session is gone).
   */
  async deleteEnded(em: EntityManager, userId: string, accessTokenLifetimeSeconds: number): Promise<void> {
    await sql(
      em,
      `delete from refresh_token_families
        where user_id = ?
          and (revoked_at is not null or expires_at < now() - make_interval(secs => ?::int))`,
      [userId, accessTokenLifetimeSeconds],
    );
  }
}
