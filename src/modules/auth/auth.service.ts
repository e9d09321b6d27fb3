import { createHash, randomBytes } from 'node:crypto';
import { EntityManager, LockMode } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppConfig } from '../../config/app-config';
import { AuditService } from '../audit/audit.service';
import { MailService } from '../mail/mail.service';
import { DomainJoinService } from '../membership/domain-join.service';
import { membershipsOf } from '../membership/memberships.query';
import { UserDto } from '../users/dto/user.dto';
import { User } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import { AuthErrors } from './auth.errors';
import { LoginDto, SignupDto } from './dto/signup.dto';
import { MeDto, SignupResponseDto, TokenResponseDto, VerifyEmailResponseDto } from './dto/auth-responses.dto';
import { EmailVerificationToken } from './entities/email-verification-token.entity';
import { JwtKeys } from './jwt-keys';
import { decoyHash, hashPassword, verifyPassword } from './password-hasher';

const TOKEN_TTL_MS = 24 * 60 * 60 * 1000;
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

@Injectable()
export class AuthService {
  constructor(
    private readonly em: EntityManager,
    private readonly config: AppConfig,
    private readonly jwt: JwtService,
    private readonly mail: MailService,
    private readonly users: UsersService,
    private readonly domainJoin: DomainJoinService,
    private readonly audit: AuditService,
  ) {}

  /**
   * Creates the account, or claims an `invited` one (keeping what was granted to that email), and
   * mails a verification link. An active account with the email is a conflict.
   */
  async signup(input: SignupDto): Promise<SignupResponseDto> {
    const passwordHash = await hashPassword(input.password);
    const { user, token } = await this.em.transactional(async (em) => {
      const user = await this.users.findOrInvite(em, input.email);
      // Row lock: two sign-ups racing for one invited account cannot both claim it.
      await em
        .getConnection()
        .execute('select 1 from users where id = ? for update', [user.id], 'all', em.getTransactionContext());
      await em.refresh(user);
      if (user.passwordHash !== null) throw AuthErrors.emailTaken();
      user.passwordHash = passwordHash;
      user.name = input.name;
      const token = randomBytes(32).toString('base64url');
      em.persist(
        em.create(EmailVerificationToken, {
          user,
          tokenHash: sha256(token),
          expiresAt: new Date(Date.now() + TOKEN_TTL_MS),
        }),
      );
      this.audit.record(em, {
        organizationId: null,
        actorId: user.id,
        action: 'user.signed_up',
        targetType: 'user',
        targetId: user.id,
      });
      return { user, token };
    });
    const link = new URL(`verify-email?token=${token}`, this.config.PUBLIC_URL).toString();
    await this.mail.send({
      to: user.email,
      subject: 'Verify your email',
      text: `Hello ${user.name},\n\nConfirm your email address by opening this link within 24 hours:\n${link}\n`,
    });
    return { user: UserDto.from(user) };
  }

  /** Single use, 24 hours. Verification joins the organization that owns the email's domain. */
  async verifyEmail(token: string): Promise<VerifyEmailResponseDto> {
    return this.em.transactional(async (em) => {
      const record = await em.findOne(
        EmailVerificationToken,
        { tokenHash: sha256(token), usedAt: null, expiresAt: { $gt: new Date() } },
        { populate: ['user'], lockMode: LockMode.PESSIMISTIC_WRITE },
      );
      if (!record) throw AuthErrors.invalidToken();
      record.usedAt = new Date();
      const user = record.user.getEntity();
      user.emailVerifiedAt ??= new Date();
      if (this.config.PLATFORM_ADMIN_EMAILS.includes(user.email)) user.isPlatformAdmin = true;
      await em.flush();
      await this.domainJoin.joinByDomain(em, user);
      await em.flush();
      return { user: UserDto.from(user), memberships: await membershipsOf(em, user.id) };
    });
  }

  /** The same answer, after the same work, for an unknown email and a wrong password. */
  async login(input: LoginDto): Promise<TokenResponseDto> {
    const user = await this.em.fork().findOne(User, { email: input.email });
    const hash = user?.passwordHash ?? (await decoyHash());
    const matches = await verifyPassword(input.password, hash);
    if (!user || !user.passwordHash || !matches) throw AuthErrors.invalidCredentials();
    if (!user.emailVerifiedAt) throw AuthErrors.emailNotVerified();
    const accessToken = await this.jwt.signAsync(
      { sub: user.id },
      {
        algorithm: 'HS256',
        issuer: JwtKeys.ISSUER,
        audience: JwtKeys.AUDIENCE,
        expiresIn: this.config.JWT_TTL,
      },
    );
    return { accessToken, tokenType: 'Bearer', expiresIn: this.config.JWT_TTL };
  }

  async me(userId: string): Promise<MeDto> {
    const em = this.em.fork();
    const user = await em.findOneOrFail(User, userId);
    return {
      id: user.id,
      email: user.email,
      name: user.name,
      isPlatformAdmin: user.isPlatformAdmin,
      memberships: await membershipsOf(em, user.id),
    };
  }
}
