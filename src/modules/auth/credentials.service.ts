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
   * sign-up, or resetting). That proves the mailbox (`emailProven`). Every access token issued before
   * stops working, and every other mailed link with it.
   * The caller holds the user's row lock.
   */
  async setPasswordProvenByMail(em: EntityManager, user: User, passwordHash: string): Promise<void> {
    await this.tokens.voidAll(em, user.id);
    // An invited person signing up: what the invitations gave holds if they are still valid.
    if (user.status === 'invited') await this.invitations.claim(em, user.id);
    user.setPassword(passwordHash);
    await this.emailProven(em, user);
  }

  /**
   * The user's address is proven theirs (a mailed token spent, or a trusted identity provider's token
   * saying `email_verified`): it counts as verified, with what verification brings (platform admin from
   * configuration, the domain's organization). The caller holds the user's row lock.
   */
  async emailProven(em: EntityManager, user: User): Promise<void> {
    // Invited, first signing in through their identity provider: the invitations are claimed as at sign-up.
    if (user.status === 'invited') await this.invitations.claim(em, user.id);
    user.emailVerifiedAt ??= new Date();
    if (this.config.PLATFORM_ADMIN_EMAILS.includes(user.email)) user.isPlatformAdmin = true;
    await em.flush();
    await this.newMemberships.joinByDomain(em, user);
    await em.flush();
  }
}
