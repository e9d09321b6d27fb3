import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Page } from '../../common/pagination';
import { RequestPolicy } from '../../policy/current-policy.decorator';
import { Caller } from '../../policy/policy-context';
import { accessibleSql } from '../../policy/sql-filter';
import { auditedJson, changedFields } from '../audit/audit-data';
import { AuditService } from '../audit/audit.service';
import { QuotasService, resourceQuota } from '../quotas/quotas.service';
import { TagsService } from '../tags/tags.service';
import {
  CreateOntologyDto,
  CreateProjectDto,
  CreateResourceBody,
  UpdateResourceBody,
} from './dto/create-resource.dto';
import { ProjectSummaryDto, ResourceDetail, ResourceSummaryDto } from './dto/resource.dto';
import { Collaborator } from './entities/collaborator.entity';
import { ProjectDataset } from './entities/project-dataset.entity';
import { Resource } from './entities/resource.entity';
import { ResourceAccess } from './resource-access.service';
import { ResourceKind, ResourceRole } from '../../policy/vocabulary';
import { MembershipRepository } from '../membership/membership.repository';
import { resourceEvent } from './resource-event';
import { ResourceErrors } from './resources.errors';
import {
  DetailRow,
  detailOf,
  ListFilters,
  requestedFilters,
  RESOURCE_LIST_FIELDS,
  ResourcesRepository,
  resourcesOfUserSql,
} from './resources.repository';

type Summary = ResourceSummaryDto | ProjectSummaryDto;

/** The resource's own columns, as the audit log records them before and after a change. */
const auditedFields = (resource: Resource): Record<string, unknown> => ({
  title: resource.title,
  description: resource.description,
  ...(resource.kind === 'ontology' ? { structure: auditedJson(resource.structure) } : {}),
  ...(resource.kind === 'project' ? { ontologyId: resource.ontology?.id ?? null } : {}),
});

/** Projects, datasets and ontologies: one implementation, parametrised by kind. */
@Injectable()
export class ResourcesService {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
    private readonly access: ResourceAccess,
    private readonly quotas: QuotasService,
    private readonly resources: ResourcesRepository,
    private readonly memberships: MembershipRepository,
    private readonly tags: TagsService,
  ) {}

  /**
   * The resource belongs to the creator's internal organization (none when they are internal
   * nowhere); the creator is its owner and first admin.
   */
  async create(caller: Caller, kind: ResourceKind, input: CreateResourceBody): Promise<ResourceDetail> {
    const links: Partial<CreateProjectDto> = kind === 'project' ? (input as CreateProjectDto) : {};
    const datasetIds = [...new Set(links.datasetIds ?? [])];
    const tagIds = [...new Set(links.tagIds ?? [])];
    if (links.ontologyId) await this.access.assertReadable(caller, 'ontology', links.ontologyId);
    for (const datasetId of datasetIds) await this.access.assertReadable(caller, 'dataset', datasetId);

    const id = await this.em.transactional(async (em) => {
      // Locked: a removal from the organization running now either waits for this creation (and
      // then asks for a replacement admin) or finishes first (and the resource belongs to none).
      const organizationId = await this.memberships.lockInternalOrganization(em, caller.userId);
      await this.quotas.assertRoomFor(em, organizationId, resourceQuota(kind));
      const resource = em.create(Resource, {
        kind,
        organization: organizationId,
        owner: caller.userId,
        title: input.title,
        description: input.description ?? '',
        structure: kind === 'ontology' ? ((input as CreateOntologyDto).structure ?? {}) : null,
        ontology: links.ontologyId ?? null,
      });
      em.create(Collaborator, { resource, user: caller.userId, role: 'admin', organization: organizationId });
      for (const datasetId of datasetIds)
        em.create(ProjectDataset, { project: resource, dataset: datasetId });
      // The project's row first: the tags' rows reference it.
      if (tagIds.length > 0) await em.flush();
      await this.tags.tagNewProject(em, resource.id, organizationId, tagIds);
      this.audit.record(em, {
        organizationId,
        actorId: caller.userId,
        action: `${kind}.created`,
        targetType: kind,
        targetId: resource.id,
        data: { after: { ...auditedFields(resource), datasetIds, tagIds } },
      });
      await em.flush();
      return resource.id;
    });
    return this.detail(kind, id, 'admin');
  }

  /** Read from the row the policy guard loaded with the scope (`detailColumns`): no statement of its own. */
  get(policy: RequestPolicy, kind: ResourceKind): ResourceDetail {
    const { loaded, ctx } = policy;
    if (!loaded || !ctx.resource) throw new Error('get needs the detail columns loaded with its scope');
    return detailOf(kind, loaded as unknown as DetailRow, ctx.resource.role);
  }

  async update(
    policy: RequestPolicy,
    kind: ResourceKind,
    id: string,
    input: UpdateResourceBody,
  ): Promise<ResourceDetail> {
    await this.em.transactional(async (em) => {
      const resource = await this.resources.lock(em, kind, id);
      const before = auditedFields(resource);
      if (input.title !== undefined) resource.title = input.title;
      if (input.description !== undefined) resource.description = input.description;
      if ('structure' in input && input.structure !== undefined) resource.structure = input.structure;
      const changes = changedFields(before, auditedFields(resource));
      if (Object.keys(changes.after).length === 0) return;
      this.audit.record(em, resourceEvent(policy, resource, `${kind}.updated`, changes));
      await em.flush();
    });
    return this.detail(kind, id, policy.ctx.resource?.role ?? null);
  }

  /** Its collaborators, group roles, links, tags and notifications go with it. */
  async remove(policy: RequestPolicy, kind: ResourceKind, id: string): Promise<void> {
    await this.em.transactional(async (em) => {
      const resource = await this.resources.lock(em, kind, id);
      this.audit.record(
        em,
        resourceEvent(policy, resource, `${kind}.deleted`, { before: auditedFields(resource) }),
      );
      await em.nativeDelete(Resource, { id, kind });
      await em.flush();
    });
  }

  /** What the caller holds a role on, directly or through a group, in any organization or none. */
  listMine(caller: Caller, kind: ResourceKind, filters: ListFilters): Promise<Page<Summary>> {
    return this.resources.pageSummaries(this.em, {
      kind,
      callerId: caller.userId,
      where: [resourcesOfUserSql(caller.userId), ...requestedFilters(caller.userId, filters)],
      limit: filters.limit,
      cursor: filters.cursor,
    });
  }

  /** The organization's resources the caller may list (admins: all; members: theirs), by the policy's rules. */
  listOfOrganization(
    policy: RequestPolicy,
    organizationId: string,
    kind: ResourceKind,
    filters: ListFilters,
  ): Promise<Page<Summary>> {
    const allowed = accessibleSql(policy.ability, 'list', 'Resource', RESOURCE_LIST_FIELDS);
    if (!allowed) return Promise.resolve({ items: [], nextCursor: null });
    const caller = policy.ctx.caller.userId;
    return this.resources.pageSummaries(this.em, {
      kind,
      callerId: caller,
      where: [
        // The tenant, whatever the rules say: a platform admin's `manage all` must not list other organizations.
        { sql: 'r.organization_id = ?', params: [organizationId] },
        allowed,
        ...requestedFilters(caller, filters),
      ],
      limit: filters.limit,
      cursor: filters.cursor,
    });
  }

  private async detail(kind: ResourceKind, id: string, myRole: ResourceRole | null): Promise<ResourceDetail> {
    const dto = await this.resources.findDetail(this.em, kind, id, myRole);
    if (!dto) throw ResourceErrors.notFound(kind);
    return dto;
  }
}
