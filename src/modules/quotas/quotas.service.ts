import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
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
   * organization is at its limit. A count alone would let concurrent creations all see room and all
   * insert; the transaction-scoped advisory lock on (quota, organization) makes them count one after
   * the other, each seeing the rows committed before it, and releases at commit or rollback. It
   * locks no row, so it cannot deadlock with the row and foreign-key locks of the writes themselves.
   * Things of no organization have no quota.
   */
  async assertRoomFor(em: EntityManager, organizationId: string | null, quota: Quota): Promise<void> {
    if (organizationId === null) return;
    await this.counts.lock(em, quota, organizationId);
    const limit = this.limitOf(quota);
    if ((await this.counts.count(em, quota, organizationId)) >= limit)
      throw QuotaErrors.exceeded(quota, limit);
  }
}
