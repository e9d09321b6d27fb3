import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { User, UserStatus } from './entities/user.entity';
import { UsersRepository } from './users.repository';

export const normalizeEmail = (email: string) => email.trim().toLowerCase();
/** The emails normalized, each once, sorted: concurrent calls inserting or locking their users do so in one order. */
export const normalizedEmails = (emails: readonly string[]) => [...new Set(emails.map(normalizeEmail))].sort();
export const emailDomain = (email: string) => normalizeEmail(email).split('@').pop() ?? '';

/** A user as features that only name them need them: read in the statement that finds or invites them, no entity. */
export interface FoundUser {
  id: string;
  email: string;
  name: string;
  status: UserStatus;
  isServiceAccount: boolean;
}

@Injectable()
export class UsersService {
  constructor(private readonly users: UsersRepository) {}

  /**
   * The user with this email, created as `invited` (no password) when unknown, so that people can
   * be given access before they sign up. Safe under concurrency: the unique email index decides.
   */
  async findOrInvite(em: EntityManager, email: string): Promise<User> {
    return (await this.findOrCreate(em, email)).user;
  }

  /** `findOrInvite`, saying whether this call created the user. */
  async findOrCreate(em: EntityManager, email: string): Promise<{ user: User; created: boolean }> {
    const normalized = normalizeEmail(email);
    const created = await this.users.insertInvited(em, normalized);
    return { user: await em.findOneOrFail(User, { email: normalized }), created };
  }

  /** Each email's user, in the order of `normalizedEmails`. */
  findOrInviteMany(em: EntityManager, emails: readonly string[]): Promise<FoundUser[]> {
    return this.users.findOrInsertInvited(em, normalizedEmails(emails));
  }

  /**
   * The user, reloaded under their row lock. Every change of a user's credentials (sign-up, spending
   * a mailed token, issuing one) takes this lock first, so such changes run one after another and
   * always lock in the same order. `no key update`: foreign-key checks of other tables (memberships
   * being added) need not wait for it.
   */
  async lock(em: EntityManager, userId: string): Promise<User> {
    await this.users.lock(em, userId);
    return em.findOneOrFail(User, userId, { refresh: true });
  }
}
