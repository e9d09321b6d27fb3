import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { User } from './entities/user.entity';

export const normalizeEmail = (email: string) => email.trim().toLowerCase();
export const emailDomain = (email: string) => normalizeEmail(email).split('@').pop() ?? '';

@Injectable()
export class UsersService {
  /**
   * The user with this email, created as `invited` (no password) when unknown, so that people can
   * be given access before they sign up. Safe under concurrency: the unique email index decides.
   */
  async findOrInvite(em: EntityManager, email: string): Promise<User> {
    const normalized = normalizeEmail(email);
    await em
      .getConnection()
      .execute(
        `insert into users (id, email, name, created_at) values (gen_random_uuid(), ?, '', now()) on conflict (email) do nothing`,
        [normalized],
        'run',
        em.getTransactionContext(),
      );
    return em.findOneOrFail(User, { email: normalized });
  }

  async findOrInviteMany(em: EntityManager, emails: readonly string[]): Promise<User[]> {
    const users: User[] = [];
    for (const email of [...new Set(emails.map(normalizeEmail))].sort())
      users.push(await this.findOrInvite(em, email));
    return users;
  }
}
