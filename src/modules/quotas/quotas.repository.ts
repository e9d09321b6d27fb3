import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { sql } from '../../database/sql';
import type { Quota } from './quotas.service';

/** How many of a quota's things an organization has, counted on the index that leads with organization_id. */
const COUNT_SQL: Record<Quota, string> = {
  projects: `select count(*) from resources where organization_id = ? and kind = 'project'`,
  datasets: `select count(*) from resources where organization_id = ? and kind = 'dataset'`,
  ontologies: `select count(*) from resources where organization_id = ? and kind = 'ontology'`,
  tags: 'select count(*) from tags where organization_id = ?',
  groups: 'select count(*) from groups where organization_id = ?',
  webhooks: 'select count(*) from webhook_endpoints where organization_id = ?',
};

/** The SQL of quotas: counts of other features' rows (read only) and the lock that orders them. */
@Injectable()
export class QuotasRepository {
  /** The transaction-scoped advisory lock on (quota, organization), released at commit or rollback. */
  async lock(em: EntityManager, quota: Quota, organizationId: string): Promise<void> {
    await sql(em, `select pg_advisory_xact_lock(hashtextextended(?::text, 0))`, [
      `quota:${quota}:${organizationId}`,
    ]);
  }

  async count(em: EntityManager, quota: Quota, organizationId: string): Promise<number> {
    const [{ count }] = await sql<{ count: string }>(em, COUNT_SQL[quota], [organizationId]);
    return Number(count);
  }
}
