import { Injectable } from '@nestjs/common';
import { BearerAuthenticator } from '../../policy/bearer-authenticators';
import { BearerToken } from '../../policy/bearer-token';
import { Credential } from '../../policy/policy-context';
import { isUuid } from '../../policy/scope-loader';
import { JwtKeys } from './jwt-keys';

/** The claims of our own access tokens. */
export interface SessionTokenClaims {
  sub: string;
  /** The user's credential version when the token was issued: a password change or reset ends the token. */
  ver: number;
  /**
   * The session (refresh token family) that issued the token: logging out or a detected refresh
   * token reuse ends it, and the token with it. Absent on tokens of no session (client credentials).
   */
  sid?: string;
}

/** Our own HS256 access tokens, issued at login: the caller is the user if their credential version still matches. */
@Injectable()
export class SessionTokenAuthenticator implements BearerAuthenticator {
  constructor(private readonly keys: JwtKeys) {}

  claims(token: BearerToken): boolean {
    return token.issuer === JwtKeys.ISSUER;
  }

  authenticate(token: BearerToken): Credential | undefined {
    // Pinned: a token signed with any other algorithm (or `none`) is refused.
    const claims: Partial<SessionTokenClaims> | undefined = token.jwt && this.keys.verifyDecoded(token.jwt);
    if (!claims) return undefined;
    if (!isUuid(claims.sub) || !Number.isSafeInteger(claims.ver)) return undefined;
    if (claims.sid !== undefined) {
      if (!isUuid(claims.sid)) return undefined;
      return {
        scheme: 'session',
        callerSql: `select u.id, u.is_platform_admin from users u
                     where u.id = ?::uuid and u.credential_version = ?::int
                       and exists (select 1 from refresh_token_families f
                                    where f.id = ?::uuid and f.user_id = u.id and f.revoked_at is null)`,
        params: [claims.sub, claims.ver, claims.sid],
      };
    }
    return {
      scheme: 'access-token',
      callerSql: 'select id, is_platform_admin from users where id = ?::uuid and credential_version = ?::int',
      params: [claims.sub, claims.ver],
    };
  }
}
