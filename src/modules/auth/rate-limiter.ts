import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { CommonErrors } from '../../common/app-error';
import { sql } from '../../database/sql';

export interface RateLimitQuota {
  limit: number;
  remaining: number;
  /** Seconds until the window starts again. */
  resetSeconds: number;
  exceeded: boolean;
}

/** Every so many hits, an instance deletes the windows that have ended. */
const SWEEP_EVERY_HITS = 1000;

/**
 * Fixed one-minute windows per key, each starting at its first hit (by the database's clock), counted
 * in PostgreSQL: every instance increments the same row, so the limit holds across instances.
 */
@Injectable()
export class RateLimiter {
  private readonly logger = new Logger('RateLimiter');
  private hitsSinceSweep = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly em: EntityManager,
  ) {}

  /**
   * Counts one hit for each key and returns the quota of the tightest one (for the RateLimit-*
   * headers); refuses with 429 when any of them is over the limit, after `onQuota` has seen it.
   */
  async hit(keys: string[], onQuota: (quota: RateLimitQuota) => void = () => undefined): Promise<void> {
    if (keys.length === 0) return;
    const limit = this.config.AUTH_RATE_LIMIT_PER_MINUTE;
    // One statement, on its own (never in a request's transaction): keys sorted, so two requests
    // locking the same rows take them in the same order.
    const rows = await sql<{ hits: number; resetSeconds: number }>(
      this.em.fork(),
      `insert into rate_limit_windows as w (key, started_at, hits)
       select k, statement_timestamp(), 1 from unnest(?::text[]) as k
       on conflict (key) do update
         set started_at = case when w.started_at <= statement_timestamp() - interval '1 minute'
                               then statement_timestamp() else w.started_at end,
             hits = case when w.started_at <= statement_timestamp() - interval '1 minute'
                         then 1 else w.hits + 1 end
       returning w.hits,
         ceil(extract(epoch from w.started_at + interval '1 minute' - statement_timestamp()))::int as "resetSeconds"`,
      [[...new Set(keys)].sort()],
      { name: 'rate_limit_hit' },
    );
    let tightest: RateLimitQuota | undefined;
    for (const row of rows) {
      const quota = {
        limit,
        remaining: Math.max(0, limit - row.hits),
        resetSeconds: Math.max(1, row.resetSeconds),
        exceeded: row.hits > limit,
      };
      if (!tightest || (quota.exceeded && !tightest.exceeded) || quota.remaining < tightest.remaining)
        tightest = quota;
    }
    this.sweepNowAndThen();
    if (!tightest) return;
    onQuota(tightest);
    if (tightest.exceeded) throw CommonErrors.rateLimited(tightest.resetSeconds);
  }

  private sweepNowAndThen(): void {
    this.hitsSinceSweep += 1;
    if (this.hitsSinceSweep < SWEEP_EVERY_HITS) return;
    this.hitsSinceSweep = 0;
    sql(this.em.fork(), `delete from rate_limit_windows where started_at < now() - interval '1 minute'`).catch(
      (err: unknown) => this.logger.warn({ err }, 'rate-limit sweep failed'),
    );
  }
}
