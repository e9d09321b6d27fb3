import { createHash, randomBytes } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { sql } from '../../database/sql';
import { User } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import { EmailTokenPurpose } from './entities/email-token.entity';

const LIFETIME_MS: Record<EmailTokenPurpose, number> = {
  verify_email: 24 * 60 * 60 * 1000,
  password_reset: 60 * 60 * 1000,
};

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** What a sign-up chose, kept with its verification token until the mailbox owner confirms it. */
export interface SignUp {
  passwordHash: string;
  name: string;
}

export interface LoginCandidate {
  id: string;
  passwordHash: string | null;
  emailVerified: boolean;
  credentialVersion: number;
  /** The password of the latest sign-up still waiting for its verification, when there is one. */
  pendingPasswordHash: string | null;
}

/**
 * The SQL of mailed single-use tokens. Each user has at most one live token per purpose (a unique
 * index), so issuing replaces the last one atomically and spending deletes it.
 */
@Injectable()
export class EmailTokensRepository {
  constructor(private readonly users: UsersService) {}

  /** A new token replacing the user's previous one for this purpose. Returns the secret to mail. */
  async issue(
    em: EntityManager,
    userId: string,
    purpose: EmailTokenPurpose,
    signUp?: SignUp,
  ): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await sql(
      em,
      `insert into email_tokens (id, user_id, purpose, token_hash, expires_at, password_hash, name, created_at)
       values (gen_random_uuid(), ?, ?, ?, ?, ?, ?, now())
       on conflict (user_id, purpose) do update
          set token_hash = excluded.token_hash, expires_at = excluded.expires_at,
              password_hash = excluded.password_hash, name = excluded.name, created_at = excluded.created_at`,
      [
        userId,
        purpose,
        sha256(token),
        new Date(Date.now() + LIFETIME_MS[purpose]),
        signUp?.passwordHash ?? null,
        signUp?.name ?? null,
      ],
    );
    return token;
  }

  /**
   * Spends a live token: deletes it, with its owner's row locked first (the order every credential
   * change takes). Null when the token is unknown, spent, replaced or expired.
   */
  async spend(
    em: EntityManager,
    token: string,
    purpose: EmailTokenPurpose,
  ): Promise<{ user: User; signUp: SignUp | null } | null> {
    const tokenHash = sha256(token);
    const [owner] = await sql<{ user_id: string }>(
      em,
      'select user_id from email_tokens where token_hash = ? and purpose = ?',
      [tokenHash, purpose],
    );
    if (!owner) return null;
    const user = await this.users.lock(em, owner.user_id);
    const [spent] = await sql<{ password_hash: string | null; name: string | null }>(
      em,
      `delete from email_tokens where token_hash = ? and purpose = ? and user_id = ? and expires_at > now()
       returning password_hash, name`,
      [tokenHash, purpose, user.id],
    );
    if (!spent) return null;
    const signUp =
      spent.password_hash !== null && spent.name !== null
        ? { passwordHash: spent.password_hash, name: spent.name }
        : null;
    return { user, signUp };
  }

  /** The sign-up waiting for verification (its link may have expired: a resend renews it). */
  async pendingSignUp(em: EntityManager, userId: string): Promise<SignUp | null> {
    const [row] = await sql<{ password_hash: string; name: string }>(
      em,
      `select password_hash, name from email_tokens where user_id = ? and purpose = 'verify_email'`,
      [userId],
    );
    return row ? { passwordHash: row.password_hash, name: row.name } : null;
  }

  /** Every link mailed to the user stops working. */
  async voidAll(em: EntityManager, userId: string): Promise<void> {
    await sql(em, 'delete from email_tokens where user_id = ?', [userId]);
  }

  /** In one query, so that login does the same work whatever the state of the account. */
  async loginCandidate(em: EntityManager, email: string): Promise<LoginCandidate | null> {
    const [row] = await sql<{
      id: string;
      password_hash: string | null;
      email_verified: boolean;
      credential_version: number;
      pending_password_hash: string | null;
    }>(
      em,
      `select u.id, u.password_hash, u.email_verified_at is not null as email_verified, u.credential_version,
              t.password_hash as pending_password_hash
         from users u
         left join email_tokens t on t.user_id = u.id and t.purpose = 'verify_email'
        where u.email = ?`,
      [email],
    );
    return row
      ? {
          id: row.id,
          passwordHash: row.password_hash,
          emailVerified: row.email_verified,
          credentialVersion: row.credential_version,
          pendingPasswordHash: row.pending_password_hash,
        }
      : null;
  }
}
