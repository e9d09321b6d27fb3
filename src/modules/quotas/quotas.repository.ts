import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { sql } from '../../database/sql';
import type { SqlFragment } from '../../policy/sql-filter';
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

  /**
   * `limitAndUsed` as a boolean SQL expression for the creating statement itself: true when the
   * organization (the SQL of its id; null for none, which has no quota) is under the limit, having
   * named the limit for the commit-time trigger.
   */
  roomSql(quota: Quota, organizationIdSql: string, limit: number): SqlFragment {
    return {
      sql: `(${organizationIdSql} is null
             or (set_config('orgs.quota_limit.' || ?::text, ?::text, true) is not null
                 and coalesce((select used from quota_usage
                                where organization_id = ${organizationIdSql} and quota = ?::text), 0) < ?::int))`,
      params: [quota, String(limit), quota, limit],
    };
  }
}
