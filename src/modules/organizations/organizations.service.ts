import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { CommonErrors } from '../../common/app-error';
import { Page, PageQuery } from '../../common/pagination';
import { OrganizationDto } from './dto/organization.dto';
import { OrganizationsRepository } from './organizations.repository';

@Injectable()
export class OrganizationsService {
  constructor(
    private readonly em: EntityManager,
    private readonly organizations: OrganizationsRepository,
  ) {}

  /** The dashboards the caller may open: the organizations where they are internal. */
  listMine(callerId: string, query: PageQuery): Promise<Page<OrganizationDto>> {
    return this.organizations.page(this.em, { ...query, internalUserId: callerId });
  }

  async get(organizationId: string): Promise<OrganizationDto> {
    const organization = await this.organizations.find(this.em.fork(), organizationId);
    if (!organization) throw CommonErrors.notFound('Organization');
    return organization;
  }
}
