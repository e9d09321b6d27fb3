import { EntityManager, LockMode } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { CommonErrors } from '../../common/app-error';
import { Page } from '../../common/pagination';
import { escapeLike } from '../../common/sql';
import { AuditService } from '../audit/audit.service';
import { MembershipRepository } from '../membership/membership.repository';
import { NewMembershipsService } from '../membership/new-memberships.service';
import { OrganizationDto } from '../organizations/dto/organization.dto';
import { OrganizationDomain } from '../organizations/entities/organization-domain.entity';
import { Organization } from '../organizations/entities/organization.entity';
import { FREE_MAIL_DOMAINS } from '../organizations/free-mail-domains';
import { OrganizationErrors } from '../organizations/organizations.errors';
import { OrganizationsRepository } from '../organizations/organizations.repository';
import { UsersService } from '../users/users.service';
import { AddDomainDto, CreateOrganizationDto, UpdateOrganizationDto } from './dto/create-organization.dto';

@Injectable()
export class PlatformService {
  constructor(
    private readonly em: EntityManager,
    private readonly users: UsersService,
    private readonly audit: AuditService,
    private readonly organizations: OrganizationsRepository,
    private readonly memberships: MembershipRepository,
    private readonly newMemberships: NewMembershipsService,
  ) {}

  /** Organization, domains and first admins in one transaction: all of it, or nothing. */
  async createOrganization(actorId: string, input: CreateOrganizationDto): Promise<OrganizationDto> {
    const domains = [...new Set(input.domains)];
    domains.forEach(assertNotFreeMail);
    const id = await this.em.transactional(async (em) => {
      if (await em.count(Organization, { name: { $ilike: escapeLike(input.name) } }))
        throw OrganizationErrors.nameTaken();
      const taken = await em.findOne(OrganizationDomain, { domain: { $in: domains } });
      if (taken) throw OrganizationErrors.domainTaken(taken.domain);
      const organization = em.create(Organization, {
        name: input.name,
        isWorkforce: input.isWorkforce ?? false,
      });
      for (const domain of domains) em.create(OrganizationDomain, { organization, domain });
      await em.flush();
      for (const user of await this.users.findOrInviteMany(em, input.adminEmails))
        await this.newMemberships.addFirstAdmin(em, organization.id, user, actorId);
      this.audit.record(em, {
        organizationId: organization.id,
        actorId,
        action: 'organization.created',
        targetType: 'organization',
        targetId: organization.id,
        data: {
          after: {
            name: organization.name,
            isWorkforce: organization.isWorkforce,
            domains,
            adminEmails: input.adminEmails,
          },
        },
      });
      await em.flush();
      return organization.id;
    });
    return this.get(id);
  }

  list(query: { limit: number; cursor?: string }): Promise<Page<OrganizationDto>> {
    return this.organizations.page(this.em, query);
  }

  async update(
    actorId: string,
    organizationId: string,
    input: UpdateOrganizationDto,
  ): Promise<OrganizationDto> {
    await this.em.transactional(async (em) => {
      const organization = await em.findOne(Organization, organizationId, {
        lockMode: LockMode.PESSIMISTIC_WRITE,
      });
      if (!organization) throw CommonErrors.notFound('Organization');
      const before = { name: organization.name, isWorkforce: organization.isWorkforce };
      if (input.name !== undefined && input.name.toLowerCase() !== organization.name.toLowerCase()) {
        if (await em.count(Organization, { name: { $ilike: escapeLike(input.name) } }))
          throw OrganizationErrors.nameTaken();
      }
      if (input.isWorkforce === false && organization.isWorkforce) {
        // Workforce memberships elsewhere are only valid while this organization is a workforce one.
        const count = await this.memberships.workforceDependingOn(em, organizationId);
        if (count > 0) throw OrganizationErrors.workforceInUse(count);
      }
      em.assign(organization, {
        name: input.name ?? organization.name,
        isWorkforce: input.isWorkforce ?? organization.isWorkforce,
      });
      this.audit.record(em, {
        organizationId,
        actorId,
        action: 'organization.updated',
        targetType: 'organization',
        targetId: organizationId,
        data: { before, after: { name: organization.name, isWorkforce: organization.isWorkforce } },
      });
      await em.flush();
    });
    return this.get(organizationId);
  }

  async addDomain(actorId: string, organizationId: string, input: AddDomainDto): Promise<OrganizationDto> {
    assertNotFreeMail(input.domain);
    await this.em.transactional(async (em) => {
      const organization = await em.findOne(Organization, organizationId);
      if (!organization) throw CommonErrors.notFound('Organization');
      if (await em.count(OrganizationDomain, { domain: input.domain }))
        throw OrganizationErrors.domainTaken(input.domain);
      em.create(OrganizationDomain, { organization, domain: input.domain });
      this.audit.record(em, {
        organizationId,
        actorId,
        action: 'organization.domain_added',
        targetType: 'organization',
        targetId: organizationId,
        data: { domain: input.domain },
      });
      await em.flush();
    });
    return this.get(organizationId);
  }

  async removeDomain(actorId: string, organizationId: string, domain: string): Promise<void> {
    await this.em.transactional(async (em) => {
      const removed = await em.nativeDelete(OrganizationDomain, {
        organization: organizationId,
        domain: domain.toLowerCase(),
      });
      if (!removed) throw OrganizationErrors.domainNotFound();
      this.audit.record(em, {
        organizationId,
        actorId,
        action: 'organization.domain_removed',
        targetType: 'organization',
        targetId: organizationId,
        data: { domain },
      });
      await em.flush();
    });
  }

  private async get(id: string): Promise<OrganizationDto> {
    const dto = await this.organizations.find(this.em.fork(), id);
    if (!dto) throw CommonErrors.notFound('Organization');
    return dto;
  }
}

function assertNotFreeMail(domain: string): void {
  if (FREE_MAIL_DOMAINS.has(domain)) throw OrganizationErrors.freeMailDomain(domain);
}
