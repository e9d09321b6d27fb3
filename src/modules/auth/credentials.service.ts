import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { InvitationsService } from '../membership/invitations.service';
import { NewMembershipsService } from '../membership/new-memberships.service';
import { User } from '../users/entities/user.entity';
import { EmailTokensRepository } from './email-tokens.repository';

@Injectable()
export class CredentialsService {
  constructor(
    private readonly config: AppConfig,
    private readonly tokens: EmailTokensRepository,
    private readonly newMemberships: NewMembershipsService,
    private readonly invitations: InvitationsService,
  ) {}

  /**
   * The one way a password is set: by someone who spent a token mailed to the address (verifying a
   * sign-up, or resetting). That proves the mailbox, so the email counts as verified, with what
   * verification brings (platform admin from configuration, the domain's organization). Every
   * access token issued before stops working, and every other mailed link with it.
   * The caller holds the user's row lock.
   */
  async setPasswordProvenByMail(em: EntityManager, user: User, passwordHash: string): Promise<void> {
    // An invited person signing up: what the invitations gave holds if they are still valid.
    if (user.status === 'invited') await this.invitations.claim(em, user.id);
    user.setPassword(passwordHash);
    user.emailVerifiedAt ??= new Date();
    if (this.config.PLATFORM_ADMIN_EMAILS.includes(user.email)) user.isPlatformAdmin = true;
    await this.tokens.voidAll(em, user.id);
    await em.flush();
    await this.newMemberships.joinByDomain(em, user);
    await em.flush();
  }
}
