import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { MembershipRepository } from '../membership/membership.repository';
import { UserDto } from '../users/dto/user.dto';
import { User } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import { AuthErrors } from './auth.errors';
import { AuthMails } from './auth.mails';
import { CredentialsService } from './credentials.service';
import { MeDto, SignupResponseDto, TokenResponseDto, VerifyEmailResponseDto } from './dto/auth-responses.dto';
import { LoginDto, SignupDto } from './dto/signup.dto';
import { EmailTokensRepository } from './email-tokens.repository';
import { SessionsService } from './sessions.service';
import { decoyHash, hashPassword, verifyPassword } from './password-hasher';

@Injectable()
export class AuthService {
  constructor(
    private readonly em: EntityManager,
    private readonly sessions: SessionsService,
    private readonly users: UsersService,
    private readonly tokens: EmailTokensRepository,
    private readonly credentials: CredentialsService,
    private readonly mails: AuthMails,
    private readonly audit: AuditService,
    private readonly memberships: MembershipRepository,
  ) {}

  /**
   * Mails a verification link that carries the chosen password and name; the account itself does not
   * change until the link is opened, so nobody can pre-register an address they do not own. A new
   * sign-up of an address still unverified replaces the previous one (its link stops working).
   * An account with a password is a conflict.
   */
  async signup(input: SignupDto): Promise<SignupResponseDto> {
    const passwordHash = await hashPassword(input.password);
    const { user, token } = await this.em.transactional(async (em) => {
      const invited = await this.users.findOrInvite(em, input.email);
      const user = await this.users.lock(em, invited.id);
      // A service account never signs in with a password: its address is taken, by a machine.
      if (user.passwordHash !== null || user.serviceAccountOrganization !== null)
        throw AuthErrors.emailTaken();
      const token = await this.tokens.issue(em, user.id, 'verify_email', { passwordHash, name: input.name });
      this.audit.record(em, {
        organizationId: null,
        actorId: user.id,
        action: 'user.signed_up',
        targetType: 'user',
        targetId: user.id,
      });
      return { user, token };
    });
    this.mails.verification(user.email, input.name, token);
    return { user: UserDto.signingUp(user, input.name) };
  }

  /** Sets the sign-up's password and name; joins the organization that owns the email's domain. */
  async verifyEmail(token: string): Promise<VerifyEmailResponseDto> {
    return this.em.transactional(async (em) => {
      const spent = await this.tokens.spend(em, token, 'verify_email');
      if (!spent?.signUp) throw AuthErrors.invalidToken();
      const { user, signUp } = spent;
      user.name = signUp.name;
      await this.credentials.setPasswordProvenByMail(em, user, signUp.passwordHash);
      return { user: UserDto.from(user), memberships: await this.memberships.membershipsOf(em, user.id) };
    });
  }

  /**
   * Mails a new link for the sign-up waiting for verification, voiding the older ones. Does nothing,
   * visibly the same, for an unknown address or an account that needs no verification.
   */
  async resendVerification(email: string): Promise<void> {
    const resent = await this.em.transactional(async (em) => {
      const found = await em.findOne(User, { email });
      if (!found || found.passwordHash !== null) return null;
      const user = await this.users.lock(em, found.id);
      const signUp = await this.tokens.pendingSignUp(em, user.id);
      if (user.passwordHash !== null || !signUp) return null;
      return { user, signUp, token: await this.tokens.issue(em, user.id, 'verify_email', signUp) };
    });
    if (resent) this.mails.verification(resent.user.email, resent.signUp.name, resent.token);
  }

  /**
   * The same 401 for an unknown email, a wrong password and a sign-up not verified whose password does
   * not match, after the same work (one query, one hash check, a decoy for unknown emails). Only the
   * right password of the pending sign-up learns that verification is missing.
   */
  async login(input: LoginDto): Promise<TokenResponseDto> {
    const candidate = await this.tokens.loginCandidate(this.em.fork(), input.email);
    const hash = candidate?.passwordHash ?? candidate?.pendingPasswordHash ?? (await decoyHash());
    const matches = await verifyPassword(input.password, hash);
    if (!candidate || !matches || (candidate.passwordHash ?? candidate.pendingPasswordHash) === null) {
      throw AuthErrors.invalidCredentials();
    }
    if (candidate.passwordHash === null || !candidate.emailVerified) throw AuthErrors.emailNotVerified();
    return this.sessions.start({ userId: candidate.id, credentialVersion: candidate.credentialVersion });
  }

  async me(userId: string): Promise<MeDto> {
    const em = this.em.fork();
    const user = await em.findOneOrFail(User, userId);
    return {
      id: user.id,
      email: user.email,
      name: user.name,
      isPlatformAdmin: user.isPlatformAdmin,
      memberships: await this.memberships.membershipsOf(em, user.id),
    };
  }
}
