import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import type { AppError } from '../../common/app-error';
import type { SqlFragment } from '../../policy/sql-filter';
import type { ResourceKind } from '../../policy/vocabulary';
import { QuotaErrors } from './quotas.errors';
import { QuotasRepository } from './quotas.repository';

export type Quota = 'projects' | 'datasets' | 'ontologies' | 'tags' | 'groups' | 'webhooks';

const RESOURCE_QUOTAS: Record<ResourceKind, Quota> = {
  project: 'projects',
  dataset: 'datasets',
  ontology: 'ontologies',
};
export const resourceQuota = (kind: ResourceKind): Quota => RESOURCE_QUOTAS[kind];

/** Per-organization limits on what its users create, from the configuration. */
@Injectable()
export class QuotasService {
  constructor(
    private readonly config: AppConfig,
    private readonly counts: QuotasRepository,
  ) {}

  limitOf(quota: Quota): number {
    switch (quota) {
      case 'projects':
      case 'datasets':
      case 'ontologies':
        return this.config.QUOTA_RESOURCES_PER_ORGANIZATION;
      case 'tags':
        return this.config.QUOTA_TAGS_PER_ORGANIZATION;
      case 'groups':
        return this.config.QUOTA_GROUPS_PER_ORGANIZATION;
      case 'webhooks':
        return this.config.QUOTA_WEBHOOKS_PER_ORGANIZATION;
    }
  }

  /**
   * Called in the creating transaction, before the insert: refuses with 409 QUOTA_EXCEEDED when the
   * organization is at its limit. The counter read here is only the early, friendly answer: it takes
   * no lock, so concurrent creations may all see room. The database holds the limit: the insert's
   * deferred trigger moves the counter at commit and fails the commit past the limit named here
   * (the same error, through declareRaisedErrors). Things of no organization have no quota.
   */
  async assertRoomFor(em: EntityManager, organizationId: string | null, quota: Quota): Promise<void> {
    if (organizationId === null) return;
    const limit = this.limitOf(quota);
    if ((await this.counts.limitAndUsed(em, quota, organizationId, limit)) >= limit)
      throw QuotaErrors.exceeded(quota, limit);
  }

  /**
   * `assertRoomFor` for a creation written in one statement: a boolean SQL expression for its
   * condition, true when the organization (the SQL of its id) has room; the caller writes nothing
   * when it is false and answers `exceeded`. The database holds the limit as for `assertRoomFor`.
   */
  roomSql(organizationIdSql: string, quota: Quota): SqlFragment {
    return this.counts.roomSql(quota, organizationIdSql, this.limitOf(quota));
  }

  exceeded(quota: Quota): AppError {
    return QuotaErrors.exceeded(quota, this.limitOf(quota));
  }
}
