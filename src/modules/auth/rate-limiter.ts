import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { CommonErrors } from '../../common/app-error';

const WINDOW_MS = 60_000;

/**
 * Fixed one-minute windows per key, in process memory. Enough for one instance; several instances
 * behind a balancer each count on their own (documented in the README).
 */
@Injectable()
export class RateLimiter {
  private readonly windows = new Map<string, { startedAt: number; count: number }>();

  constructor(private readonly config: AppConfig) {}

  /** Counts one hit for each key; refuses with 429 when any of them is over the limit. */
  hit(...keys: string[]): void {
    const now = Date.now();
    if (this.windows.size > 100_000) this.sweep(now);
    for (const key of keys) {
      let window = this.windows.get(key);
      if (!window || now - window.startedAt >= WINDOW_MS) {
        window = { startedAt: now, count: 0 };
        this.windows.set(key, window);
      }
      window.count += 1;
      if (window.count > this.config.AUTH_RATE_LIMIT_PER_MINUTE) {
        throw CommonErrors.rateLimited(Math.ceil((window.startedAt + WINDOW_MS - now) / 1000));
      }
    }
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows) {
      if (now - window.startedAt >= WINDOW_MS) this.windows.delete(key);
    }
  }
}
