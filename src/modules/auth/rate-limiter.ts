import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { CommonErrors } from '../../common/app-error';

const WINDOW_MS = 60_000;

export interface RateLimitQuota {
  limit: number;
  remaining: number;
  /** Seconds until the window starts again. */
  resetSeconds: number;
  exceeded: boolean;
}

/**
 * Fixed one-minute windows per key, in process memory. Enough for one instance; several instances
 * behind a balancer each count on their own (documented in the README).
 */
@Injectable()
export class RateLimiter {
  private readonly windows = new Map<string, { startedAt: number; count: number }>();

  constructor(private readonly config: AppConfig) {}

  /**
   * Counts one hit for each key and returns the quota of the tightest one (for the RateLimit-*
   * headers); refuses with 429 when any of them is over the limit, after `onQuota` has seen it.
   */
  hit(keys: string[], onQuota: (quota: RateLimitQuota) => void = () => undefined): void {
    const now = Date.now();
    if (this.windows.size > 100_000) this.sweep(now);
    const limit = this.config.AUTH_RATE_LIMIT_PER_MINUTE;
    let tightest: RateLimitQuota | undefined;
    for (const key of keys) {
      let window = this.windows.get(key);
      if (!window || now - window.startedAt >= WINDOW_MS) {
        window = { startedAt: now, count: 0 };
        this.windows.set(key, window);
      }
      window.count += 1;
      const quota = {
        limit,
        remaining: Math.max(0, limit - window.count),
        resetSeconds: Math.ceil((window.startedAt + WINDOW_MS - now) / 1000),
        exceeded: window.count > limit,
      };
      if (!tightest || quota.exceeded || quota.remaining < tightest.remaining) tightest = quota;
      if (quota.exceeded) break;
    }
    if (!tightest) return;
    onQuota(tightest);
    if (tightest.exceeded) throw CommonErrors.rateLimited(tightest.resetSeconds);
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows) {
      if (now - window.startedAt >= WINDOW_MS) this.windows.delete(key);
    }
  }
}
