import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { SoleAdminResourceDto } from '../membership/dto/member.dto';
import { HandedOver, OrganizationRights, OrganizationRightsHolder } from '../membership/organization-rights';
import { CollaboratorsRepository } from './collaborators.repository';
import { ProjectNotificationsRepository } from './project-notifications.repository';

/**
 * What a user holds on the organization's resources, as the removal from the organization sees it:
 * the resources they alone administer (handed over to a replacement), then their collaborator roles
 * and notification places, taken away. The caller holds the membership row locked, so no grant can
 * add one meanwhile.
 */
@Injectable()
export class ResourceRightsService implements OrganizationRightsHolder {
  constructor(
    rights: OrganizationRights,
    private readonly collaborators: CollaboratorsRepository,
    private readonly notifications: ProjectNotificationsRepository,
  ) {
    rights.register(this);
  }

  soleAdminOf(em: EntityManager, organizationId: string, userId: string): Promise<SoleAdminResourceDto[]> {
    return this.collaborators.soleAdminOf(em, organizationId, userId);
  }

  handOver(
    em: EntityManager,
    resources: readonly SoleAdminResourceDto[],
    replacementUserId: string,
  ): Promise<HandedOver[]> {
    return this.collaborators.handOver(em, resources, replacementUserId);
  }

  async removeRightsOf(
    em: EntityManager,
    organizationId: string,
    userId: string,
  ): Promise<Record<string, number>> {
    return {
      collaborations: await this.collaborators.deleteAllOf(em, organizationId, userId),
      notificationRecipients: await this.notifications.deleteRecipientsOf(em, organizationId, userId),
    };
  }
}
