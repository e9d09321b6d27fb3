import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { User } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import { AuthErrors } from './auth.errors';
import { AuthMails } from './auth.mails';
import { CredentialsService } from './credentials.service';
import { EmailTokensRepository } from './email-tokens.repository';
import { hashPassword } from './password-hasher';

@Injectable()
export class PasswordResetService {
  constructor(
    private readonly em: EntityManager,
    private readonly users: UsersService,
    private readonly tokens: EmailTokensRepository,
    private readonly credentials: CredentialsService,
    private readonly mails: AuthMails,
    private readonly audit: AuditService,
  ) {}

  /**
   * Mails a single-use link valid one hour to any account with this email, invited or not yet
   * verified included (completing the reset proves the mailbox). An unknown email gets the same
   * answer, and no mail.
   */
  async request(email: string): Promise<void> {
    const issued = await this.em.transactional(async (em) => {
      const found = await em.findOne(User, { email });
      if (!found) return null;
      const user = await this.users.lock(em, found.id);
      return { user, token: await this.tokens.issue(em, user.id, 'password_reset') };
    });
    if (issued) this.mails.passwordReset(issued.user.email, issued.token);
  }

  /** Sets the new password; every access token issued before it and every other mailed link stop working. */
  async confirm(token: string, password: string): Promise<void> {
    // Hashed before the transaction: the user's row lock is not held through the slow hash.
    const passwordHash = await hashPassword(password);
    await this.em.transactional(async (em) => {
      const spent = await this.tokens.spend(em, token, 'password_reset');
      if (!spent) throw AuthErrors.invalidToken();
      await this.credentials.setPasswordProvenByMail(em, spent.user, passwordHash);
      this.audit.record(em, {
        organizationId: null,
        actorId: spent.user.id,
        action: 'user.password_reset',
        targetType: 'user',
        targetId: spent.user.id,
      });
    });
  }
}
