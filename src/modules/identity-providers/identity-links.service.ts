import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { OidcIssuer } from '../../config/oidc-issuers';
import { AuditService } from '../audit/audit.service';
import { CredentialsService } from '../auth/credentials.service';
import { emailDomain, UsersService } from '../users/users.service';
import { UserIdentitiesRepository } from './user-identities.repository';

/** Who an identity provider's verified token names, as its claims say. */
export interface ProviderPerson {
  issuer: OidcIssuer;
  subject: string;
  /** Normalized; undefined when the token carries none or not an email. */
  email?: string;
  /** Only a provider's explicit `email_verified: true` lets the email match or create an account. */
  emailVerified: boolean;
  name?: string;
}

/** Links the people of identity providers to users, on their first request. */
@Injectable()
export class IdentityLinksService {
  constructor(
    private readonly em: EntityManager,
    private readonly identities: UserIdentitiesRepository,
    private readonly users: UsersService,
    private readonly credentials: CredentialsService,
    private readonly audit: AuditService,
  ) {}

  /**
   * The user the person is linked to. On first sight, they are linked to the account of their email
   * when the provider says it is verified, or to an account created for them just in time; their
   * email then counts as verified, as after a sign-up's verification (domain organization, platform
   * admin from configuration). Undefined when they cannot be linked: no verified email, a domain the
   * provider may not vouch for, or an account already linked to another of the provider's subjects.
   */
  async linkedUser(person: ProviderPerson): Promise<string | undefined> {
    const { issuer, subject, email } = person;
    const linked = await this.identities.userOf(this.em.fork(), issuer.issuer, subject);
    if (linked) return linked;
    if (!email || !person.emailVerified) return undefined;
    if (issuer.emailDomains && !issuer.emailDomains.includes(emailDomain(email))) return undefined;
    return this.em.transactional(async (em) => {
      // Two first requests at once: the unique email makes one user, the user's lock orders them, the
      // unique (issuer, subject) makes one link; the second finds the first's.
      const { user: found, created } = await this.users.findOrCreate(em, email);
      const user = await this.users.lock(em, found.id);
      if (!(await this.identities.link(em, issuer.issuer, subject, user.id))) {
        return this.identities.userOf(em, issuer.issuer, subject);
      }
      if (created) {
        if (person.name) user.name = person.name;
        this.audit.record(em, {
          organizationId: null,
          actorId: user.id,
          action: 'user.created_by_identity_provider',
          targetType: 'user',
          targetId: user.id,
          data: { issuer: issuer.issuer },
        });
      }
      this.audit.record(em, {
        organizationId: null,
        actorId: user.id,
        action: 'user.identity_linked',
        targetType: 'user',
        targetId: user.id,
        data: { issuer: issuer.issuer, subject, matchedBy: created ? 'created' : 'verified_email' },
      });
      await this.credentials.emailProven(em, user);
      return user.id;
    });
  }
}
