import { Injectable, Provider, Type } from '@nestjs/common';
import { BearerToken } from './bearer-token';
import { Credential } from './policy-context';

/**
 * One way in with `Authorization: Bearer <token>`: our own access tokens, API keys, an identity
 * provider's tokens. A feature that owns one registers it with `registerBearerAuthenticator`.
 */
export interface BearerAuthenticator {
  /** Whether the token is of this kind (a prefix, an issuer): the first authenticator that claims a token decides it. */
  claims(token: BearerToken): boolean;
  /** The credential, or undefined when a token of this kind is not valid (bad signature, expired). */
  authenticate(token: BearerToken): Promise<Credential | undefined> | Credential | undefined;
}

/** Every way in that the features registered; the bearer guard asks them in turn. */
@Injectable()
export class BearerAuthenticators {
  private readonly authenticators: BearerAuthenticator[] = [];

  add(authenticator: BearerAuthenticator): void {
    this.authenticators.push(authenticator);
  }

  /** Undefined for a token no authenticator claims or the claiming one refuses: the same 401 either way. */
  async authenticate(value: string): Promise<Credential | undefined> {
    const token = new BearerToken(value);
    const authenticator = this.authenticators.find((candidate) => candidate.claims(token));
    return authenticator ? await authenticator.authenticate(token) : undefined;
  }
}

/** A provider for the feature module that owns the authenticator: `providers: [registerBearerAuthenticator(X)]`. */
export function registerBearerAuthenticator(authenticator: Type<BearerAuthenticator>): Provider[] {
  return [
    authenticator,
    {
      provide: Symbol(`bearer authenticator ${authenticator.name}`),
      useFactory: (registry: BearerAuthenticators, instance: BearerAuthenticator) => registry.add(instance),
      inject: [BearerAuthenticators, authenticator],
    },
  ];
}
