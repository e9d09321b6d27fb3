import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { sql } from '../../database/sql';
import type { Quota } from './quotas.service';

/** The SQL of quotas: the usage counters the database keeps (see the quota_usage migration). */
@Injectable()
export class QuotasRepository {
  /**
   * Names the limit for the rest of the transaction (the commit-time trigger compares the counter
   * with it) and reads the counter as last committed, in one round trip and without a lock.
   */
  async limitAndUsed(
    em: EntityManager,
    quota: Quota,
    organizationId: string,
    limit: number,
  ): Promise<number> {
    const [{ used }] = await sql<{ used: number | null }>(
      em,
      `select set_config('orgs.quota_limit.' || ?::text, ?::text, true),
              (select used from quota_usage where organization_id = ? and quota = ?) as used`,
      [quota, String(limit), organizationId, quota],
      { name: 'quota-limit-and-used' },
    );
    return used ?? 0;
  }
}
