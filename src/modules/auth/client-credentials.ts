import { Injectable, Provider, Type } from '@nestjs/common';

/** Whom client credentials name: a user (a service account) as of its credential version. */
export interface ClientPrincipal {
  userId: string;
  credentialVersion: number;
}

/**
 * Checks the credentials of `grant_type=client_credentials` at `POST /auth/token`. The feature that
 * owns machine identities (service accounts and their API keys) provides one; until one is
 * registered the grant answers `unsupported_grant_type`.
 */
export interface ClientCredentialsVerifier {
  /**
   * The principal, or undefined for unknown, revoked, expired or wrong credentials (the same
   * `invalid_client` answer). `clientId` is what the client sent (it may be empty: the secret may name
   * its owner on its own); the verifier decides whether it must match.
   */
  verify(clientId: string, clientSecret: string): Promise<ClientPrincipal | undefined>;
}

/** The verifier registered for client credentials, if any. */
@Injectable()
export class ClientCredentialsVerifiers {
  private verifier: ClientCredentialsVerifier | undefined;

  register(verifier: ClientCredentialsVerifier): void {
    if (this.verifier) throw new Error('a client credentials verifier is already registered');
    this.verifier = verifier;
  }

  get current(): ClientCredentialsVerifier | undefined {
    return this.verifier;
  }
}

/**
 * For the module that owns service accounts (it imports AuthModule):
 * `providers: [...registerClientCredentialsVerifier(ServiceAccountKeyVerifier)]`.
 */
export function registerClientCredentialsVerifier(verifier: Type<ClientCredentialsVerifier>): Provider[] {
  return [
    verifier,
    {
      provide: Symbol(`client credentials verifier ${verifier.name}`),
      useFactory: (registry: ClientCredentialsVerifiers, instance: ClientCredentialsVerifier) =>
        registry.register(instance),
      inject: [ClientCredentialsVerifiers, verifier],
    },
  ];
}
