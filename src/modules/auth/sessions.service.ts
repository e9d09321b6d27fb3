import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppConfig } from '../../config/app-config';
import { AuditService } from '../audit/audit.service';
import { AuthErrors } from './auth.errors';
import { TokenResponseDto } from './dto/auth-responses.dto';
import { JwtKeys } from './jwt-keys';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { SessionTokenClaims } from './session-token.authenticator';

/** Whom a session is for: a user as of the credential version a sign-in checked. */
export interface SessionSubject {
  userId: string;
  credentialVersion: number;
}

/**
 * Sessions: a sign-in starts one, with a short-lived access token (a JWT carrying the session id) and
 * a refresh token rotated on every use (RFC 6819 §5.2.2.3, OAuth 2.1 §4.3.1). A spent refresh token
 * presented again means two parties hold the session: it is revoked, and with it every access token
 * it issued. Logout revokes it the same way. A password set since the sign-in ends it too.
 */
@Injectable()
export class SessionsService {
  constructor(
    private readonly em: EntityManager,
    private readonly config: AppConfig,
    private readonly jwt: JwtService,
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly audit: AuditService,
  ) {}

  async start(subject: SessionSubject): Promise<TokenResponseDto> {
    return this.em.transactional(async (em) => {
      await this.refreshTokens.deleteEnded(em, subject.userId, this.config.JWT_TTL);
      const familyId = await this.refreshTokens.startFamily(
        em,
        subject.userId,
        subject.credentialVersion,
        this.config.REFRESH_TOKEN_FAMILY_TTL,
      );
      return this.issue(em, subject, familyId);
    });
  }

  /**
   * A new access token and the next refresh token, for a live refresh token of a live session. A
   * spent one revokes its session (in its own transaction, committed although the answer is 401);
   * unknown, expired and revoked ones get the same 401.
   */
  async refresh(refreshToken: string): Promise<TokenResponseDto> {
    const rotated = await this.em.transactional(async (em) => {
      const spent = await this.refreshTokens.spend(em, refreshToken);
      return spent && (await this.issue(em, spent, spent.familyId));
    });
    if (rotated) return rotated;
    await this.em.transactional(async (em) => {
      const refused = await this.refreshTokens.find(em, refreshToken);
      if (!refused?.spent || !(await this.refreshTokens.revokeFamily(em, refused.familyId, 'reuse'))) return;
      this.audit.record(em, {
        organizationId: null,
        actorId: null,
        action: 'user.session_revoked',
        targetType: 'user',
        targetId: refused.userId,
        data: { sessionId: refused.familyId, reason: 'reuse' },
      });
    });
    throw AuthErrors.invalidRefreshToken();
  }

  /** Ends the token's session, whatever the token's state; nothing for an unknown token. */
  async logout(refreshToken: string): Promise<void> {
    await this.em.transactional(async (em) => {
      const found = await this.refreshTokens.find(em, refreshToken);
      if (!found || !(await this.refreshTokens.revokeFamily(em, found.familyId, 'logout'))) return;
      this.audit.record(em, {
        organizationId: null,
        actorId: found.userId,
        action: 'user.logged_out',
        targetType: 'user',
        targetId: found.userId,
        data: { sessionId: found.familyId },
      });
    });
  }

  /** An access token of no session (client credentials): it ends when it expires or the credential version changes. */
  async accessToken(subject: SessionSubject): Promise<Omit<TokenResponseDto, 'refreshToken'>> {
    return { accessToken: await this.sign(subject), tokenType: 'Bearer', expiresIn: this.config.JWT_TTL };
  }

  private async issue(
    em: EntityManager,
    subject: SessionSubject,
    familyId: string,
  ): Promise<TokenResponseDto> {
    const { token: refreshToken } = await this.refreshTokens.add(em, familyId, this.config.REFRESH_TOKEN_TTL);
    const accessToken = await this.sign(subject, familyId);
    return { accessToken, refreshToken, tokenType: 'Bearer', expiresIn: this.config.JWT_TTL };
  }

  private sign(subject: SessionSubject, sessionId?: string): Promise<string> {
    const claims: SessionTokenClaims = {
      sub: subject.userId,
      ver: subject.credentialVersion,
      ...(sessionId ? { sid: sessionId } : {}),
    };
    return this.jwt.signAsync(claims, {
      algorithm: 'HS256',
      issuer: JwtKeys.ISSUER,
      audience: JwtKeys.AUDIENCE,
      expiresIn: this.config.JWT_TTL,
    });
  }
}
