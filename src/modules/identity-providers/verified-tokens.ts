import { createHash } from 'node:crypto';

/** How long a verified token is trusted without checking its signature again: a key the provider withdraws stops working within it. */
export const VERIFIED_FOR_MS = 5 * 60_000;
const MAX_VERIFIED_TOKENS = 10_000;

export interface VerifiedToken {
  issuer: string;
  subject: string;
}

/**
 * Identity-provider tokens whose signature and claims were verified, by the SHA-256 of the whole token:
 * a client sends the same token for its whole life, and an RS256 or ES256 check costs more than the rest
 * of a request. Only the exact bytes verified before are found here; an entry ends at the token's `exp`
 * or after VERIFIED_FOR_MS, whichever comes first. Bounded: the oldest entry goes first.
 */
export class VerifiedTokens {
  private readonly entries = new Map<string, VerifiedToken & { until: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  find(token: string): VerifiedToken | undefined {
    const key = keyOf(token);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return { issuer: entry.issuer, subject: entry.subject };
  }

  remember(token: string, verified: VerifiedToken, expiresAtSeconds: number): void {
    const until = Math.min(expiresAtSeconds * 1000, this.now() + VERIFIED_FOR_MS);
    if (until <= this.now()) return;
    if (this.entries.size >= MAX_VERIFIED_TOKENS) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(keyOf(token), { ...verified, until });
  }

  get size(): number {
    return this.entries.size;
  }
}

const keyOf = (token: string) => createHash('sha256').update(token).digest('base64url');
