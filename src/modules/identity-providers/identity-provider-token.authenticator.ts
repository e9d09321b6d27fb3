import { Injectable, OnModuleInit } from '@nestjs/common';
import { isEmail } from 'class-validator';
import { JWTPayload, jwtVerify } from 'jose';
import { AppConfig } from '../../config/app-config';
import { OidcIssuer } from '../../config/oidc-issuers';
import { BearerAuthenticator } from '../../policy/bearer-authenticators';
import { BearerToken } from '../../policy/bearer-token';
import { Credential } from '../../policy/policy-context';
import { JwtKeys } from '../auth/jwt-keys';
import { normalizeEmail } from '../users/users.service';
import { IdentityLinksService } from './identity-links.service';
import { IssuerKeys } from './issuer-keys';
import { CALLER_BY_IDENTITY_SQL } from './user-identities.repository';
import { VerifiedTokens } from './verified-tokens';

/** Clocks of the provider and ours may differ this much when checking `exp` and `nbf`. */
export const CLOCK_TOLERANCE_SECONDS = 30;
/** A person once linked is not looked up again for this long (per instance): their requests cost no extra query. */
const LINKED_FOR_MS = 10 * 60_000;
const MAX_REMEMBERED_LINKS = 10_000;

interface Issuer {
  config: OidcIssuer;
  keys: IssuerKeys;
}

/**
 * Tokens of the identity providers of `OIDC_ISSUERS`: signature by the issuer's published keys with a
 * pinned algorithm, its `iss` and our `aud`, an `exp` (and `nbf` when present) within the clock
 * tolerance. The caller is the user linked to the token's (issuer, `sub`), found by the policy guard's
 * scope query; the first request of a person links them (a write), later ones only verify.
 */
@Injectable()
export class IdentityProviderTokenAuthenticator implements BearerAuthenticator, OnModuleInit {
  private readonly issuers: Map<string, Issuer>;
  /** `issuer\0subject` of people known to be linked, and until when to trust that without a lookup. */
  private readonly linked = new Map<string, number>();
  private readonly verified = new VerifiedTokens();

  constructor(
    config: AppConfig,
    private readonly links: IdentityLinksService,
  ) {
    this.issuers = new Map(
      config.OIDC_ISSUERS.map((issuer) => [
        issuer.issuer,
        { config: issuer, keys: new IssuerKeys(issuer.issuer, issuer.jwks) },
      ]),
    );
  }

  async onModuleInit(): Promise<void> {
    if (this.issuers.has(JwtKeys.ISSUER))
      throw new Error(
        `Invalid configuration:\n  OIDC_ISSUERS: ${JwtKeys.ISSUER} is this service's own issuer`,
      );
    // A key file is read at boot, so that a wrong path stops the start; URLs are fetched on first use,
    // so that a provider's outage does not stop it.
    for (const { config, keys } of this.issuers.values()) {
      if ('file' in config.jwks) {
        await keys.load().catch((error: Error) => {
          throw new Error(
            `Invalid configuration:\n  OIDC_ISSUERS: keys of ${config.issuer}: ${error.message}`,
          );
        });
      }
    }
  }

  claims(token: BearerToken): boolean {
    const issuer = token.issuer;
    return issuer !== undefined && this.issuers.has(issuer);
  }

  async authenticate(bearer: BearerToken): Promise<Credential | undefined> {
    const token = bearer.value;
    const known = this.verified.find(token);
    if (known)
      return { scheme: 'oidc', callerSql: CALLER_BY_IDENTITY_SQL, params: [known.issuer, known.subject] };
    const issuer = this.issuers.get(bearer.issuer ?? '');
    if (!issuer) return undefined;
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, issuer.keys.key, {
        issuer: issuer.config.issuer,
        audience: issuer.config.audience,
        // Pinned before any key is looked up: `none`, HS256 with the public key as secret and any
        // algorithm the provider does not use are refused without a fetch.
        algorithms: issuer.config.algorithms,
        requiredClaims: ['sub', 'exp'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      }));
    } catch {
      return undefined;
    }
    const subject = claims.sub;
    if (typeof subject !== 'string' || subject.length === 0 || subject.length > 255) return undefined;
    if (!(await this.ensureLinked(issuer.config, subject, claims))) return undefined;
    // Linked now; `exp` is required above. The user's own state is still read on every request (callerSql).
    this.verified.remember(token, { issuer: issuer.config.issuer, subject }, claims.exp!);
    return { scheme: 'oidc', callerSql: CALLER_BY_IDENTITY_SQL, params: [issuer.config.issuer, subject] };
  }

  private async ensureLinked(issuer: OidcIssuer, subject: string, claims: JWTPayload): Promise<boolean> {
    const key = `${issuer.issuer}\0${subject}`;
    if ((this.linked.get(key) ?? 0) > Date.now()) return true;
    const email = claims[issuer.emailClaim];
    const name = typeof claims.name === 'string' ? claims.name.trim().slice(0, 200) : '';
    const userId = await this.links.linkedUser({
      issuer,
      subject,
      email:
        typeof email === 'string' && email.length <= 254 && isEmail(email)
          ? normalizeEmail(email)
          : undefined,
      emailVerified: claims.email_verified === true,
      name: name || undefined,
    });
    if (!userId) return false;
    this.linked.delete(key);
    if (this.linked.size >= MAX_REMEMBERED_LINKS) this.linked.delete(this.linked.keys().next().value!);
    this.linked.set(key, Date.now() + LINKED_FOR_MS);
    return true;
  }
}
