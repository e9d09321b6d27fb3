import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { SoleAdminResourceDto } from './dto/member.dto';

export interface HandedOver {
  resourceId: string;
  previousRole: string | null;
}

/**
 * A feature that grants rights inside an organization (resources, groups). Removing a user from the
 * organization asks each one, in the removal's transaction, to take the user's rights away: the
 * membership module writes no table but its own, and imports no feature that builds on it.
 */
export interface OrganizationRightsHolder {
  /** What removing the user would leave without an admin; features without admins leave it out. */
  soleAdminOf?(em: EntityManager, organizationId: string, userId: string): Promise<SoleAdminResourceDto[]>;
  /** The replacement becomes admin of each of these resources. */
  handOver?(
    em: EntityManager,
    resources: readonly SoleAdminResourceDto[],
    replacementUserId: string,
  ): Promise<HandedOver[]>;
  /** Takes away every right the user holds in the organization; how many of each went, for the audit. */
  removeRightsOf(em: EntityManager, organizationId: string, userId: string): Promise<Record<string, number>>;
}

/** The holders of rights in organizations, registered by their modules. */
@Injectable()
export class OrganizationRights {
  private readonly holders: OrganizationRightsHolder[] = [];

  register(holder: OrganizationRightsHolder): void {
    this.holders.push(holder);
  }

  async soleAdminOf(
    em: EntityManager,
    organizationId: string,
    userId: string,
  ): Promise<SoleAdminResourceDto[]> {
    const found: SoleAdminResourceDto[] = [];
    for (const holder of this.holders)
      found.push(...((await holder.soleAdminOf?.(em, organizationId, userId)) ?? []));
    return found;
  }

  async handOver(
    em: EntityManager,
    resources: readonly SoleAdminResourceDto[],
    replacementUserId: string,
  ): Promise<HandedOver[]> {
    if (resources.length === 0) return [];
    const handedOver: HandedOver[] = [];
    for (const holder of this.holders)
      handedOver.push(...((await holder.handOver?.(em, resources, replacementUserId)) ?? []));
    return handedOver;
  }

  async removeRightsOf(
    em: EntityManager,
    organizationId: string,
    userId: string,
  ): Promise<Record<string, number>> {
    const removed: Record<string, number> = {};
    for (const holder of this.holders)
      Object.assign(removed, await holder.removeRightsOf(em, organizationId, userId));
    return removed;
  }
}
