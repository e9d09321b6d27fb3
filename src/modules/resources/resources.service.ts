import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { JsonAnswer } from '../../common/json-answer';
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
import { Resource } from './entities/resource.entity';
import { ResourceAccess } from './resource-access.service';
import { ResourceKind, ResourceRole } from '../../policy/vocabulary';
import { resourceEvent } from './resource-event';
import { ResourceErrors } from './resources.errors';
import {
  DetailRow,
  detailOf,
  boundId,
  ListFilters,
  RESOURCE_LIST_FIELDS,
  ResourcesRepository,
} from './resources.repository';

type Summary = ResourceSummaryDto | ProjectSummaryDto;

type AuditedResource = Pick<Resource, 'kind' | 'title' | 'description' | 'structure'> & {
  ontology: { id: string } | null;
};

const ontologyRef = (id: string | null) => (id === null ? null : { id });

/** The resource's own columns, as the audit log records them before and after a change. */
const auditedFields = (resource: AuditedResource): Record<string, unknown> => ({
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
    private readonly tags: TagsService,
  ) {}

  /**
   * The resource belongs to the creator's internal organization (none when they are internal
   * nowhere); the creator is its owner and first admin. Without links it is one statement, its own
   * transaction; links are written after it in one transaction with it.
   */
  async create(caller: Caller, kind: ResourceKind, input: CreateResourceBody): Promise<ResourceDetail> {
    const links: Partial<CreateProjectDto> = kind === 'project' ? (input as CreateProjectDto) : {};
    const datasetIds = [...new Set(links.datasetIds ?? [])];
    const tagIds = [...new Set(links.tagIds ?? [])];
    if (links.ontologyId) await this.access.assertReadable(caller, 'ontology', links.ontologyId);
    for (const datasetId of datasetIds) await this.access.assertReadable(caller, 'dataset', datasetId);

    const resource = {
      id: randomUUID(),
      kind,
      ownerId: caller.userId,
      title: input.title,
      description: input.description ?? '',
      structure: kind === 'ontology' ? ((input as CreateOntologyDto).structure ?? {}) : null,
      ontologyId: links.ontologyId ?? null,
    };
    const quota = resourceQuota(kind);
    const write = async (em: EntityManager) => {
      const row = await this.resources.insertWithOwner(
        em,
        resource,
        (organizationId) => this.quotas.roomSql(organizationId, quota),
        (organizationId) =>
          this.audit.insertSql(
            {
              organizationId: null,
              actorId: caller.userId,
              action: `${kind}.created`,
              targetType: kind,
              targetId: resource.id,
              data: {
                after: {
                  ...auditedFields({ ...resource, ontology: ontologyRef(resource.ontologyId) }),
                  datasetIds,
                  tagIds,
                },
              },
            },
            'created',
            { organizationId },
          ),
      );
      if (!row) throw this.quotas.exceeded(quota);
      if (datasetIds.length > 0) await this.resources.attachNewProjectDatasets(em, resource.id, datasetIds);
      await this.tags.tagNewProject(em, resource.id, row.organization_id, tagIds);
      return row;
    };
    if (datasetIds.length === 0 && tagIds.length === 0) return detailOf(kind, await write(this.em), 'admin');
    await this.em.transactional(write);
    return this.detail(kind, resource.id, 'admin');
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
  listMine(caller: Caller, kind: ResourceKind, filters: ListFilters): Promise<JsonAnswer<Page<Summary>>> {
    return this.resources.pageOfUser(this.em, kind, caller.userId, filters);
  }

  /**
   * The organization's resources the caller may list (admins: all; members: theirs), by the policy's
   * rules: read by the policy guard with its scope (`resourcePageInScope`), unless the route reads
   * from a replica or its input makes no statement.
   */
  async listOfOrganization(
    policy: RequestPolicy,
    organizationId: string,
    kind: ResourceKind,
    filters: ListFilters,
  ): Promise<JsonAnswer<Page<Summary>>> {
    if (policy.loadedAnswer) return policy.loadedAnswer as JsonAnswer<Page<Summary>>;
    const allowed = accessibleSql(policy.ability, 'list', 'Resource', RESOURCE_LIST_FIELDS);
    if (!allowed) return JsonAnswer.of({ items: [], nextCursor: null });
    return this.resources.pageOfOrganization(this.em, kind, organizationId, filters, {
      callerId: boundId(policy.ctx.caller.userId),
      allowed,
    });
  }

  private async detail(kind: ResourceKind, id: string, myRole: ResourceRole | null): Promise<ResourceDetail> {
    const dto = await this.resources.findDetail(this.em, kind, id, myRole);
    if (!dto) throw ResourceErrors.notFound(kind);
    return dto;
  }
}
