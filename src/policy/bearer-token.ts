import { DecodedJwt, decodeJwt, jsonObject } from '../common/decoded-jwt';

/**
 * The token of `Authorization: Bearer <token>`, handed to each authenticator in turn. A JWT is decoded
 * on first use and kept: choosing the authenticator by `iss` and verifying the token then decode it
 * once per request, not once per authenticator asked.
 */
export class BearerToken {
  private decoded?: { jwt: DecodedJwt | undefined };

  constructor(readonly value: string) {}

  /** Undefined for a token that is not JWT-shaped (an API key). */
  get jwt(): DecodedJwt | undefined {
    this.decoded ??= { jwt: decodeJwt(this.value) };
    return this.decoded.jwt;
  }

  /** The `iss` claim, unverified: only to choose who verifies the token. */
  get issuer(): string | undefined {
    const iss = jsonObject(this.jwt?.payload)?.iss;
    return typeof iss === 'string' ? iss : undefined;
  }
}
