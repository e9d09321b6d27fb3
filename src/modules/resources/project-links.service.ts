import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { RequestPolicy } from '../../policy/current-policy.decorator';
import { AuditService } from '../audit/audit.service';
import { ProjectDto } from './dto/resource.dto';
import { ProjectDataset } from './entities/project-dataset.entity';
import { Resource } from './entities/resource.entity';
import { ResourceAccess } from './resource-access.service';
import { ResourceErrors } from './resources.errors';
import { findResourceDetail } from './resources.query';

/**
 * A project's datasets and ontology. Attaching needs the project's admin who can also read what
 * they attach; detaching needs only the project's admin, so that a project never keeps a dataset
 * because its admin has lost access to it.
 */
@Injectable()
export class ProjectLinksService {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
    private readonly access: ResourceAccess,
  ) {}

  /** Attaching a dataset that is already attached changes nothing. */
  async attachDataset(policy: RequestPolicy, projectId: string, datasetId: string): Promise<ProjectDto> {
    await this.access.assertReadable(policy.ctx.caller, 'dataset', datasetId);
    await this.em.transactional(async (em) => {
      const project = await this.lockProject(em, projectId);
      const inserted = await em.getConnection().execute<{ id: string }[]>(
        `insert into project_datasets (id, project_id, dataset_id, created_at)
         values (gen_random_uuid(), ?, ?, clock_timestamp())
         on conflict (project_id, dataset_id) do nothing
         returning id`,
        [projectId, datasetId],
        'all',
        em.getTransactionContext(),
      );
      if (inserted.length === 0) return;
      this.record(em, policy, project, 'project.dataset_attached', { datasetId });
      await em.flush();
    });
    return this.project(policy, projectId);
  }

  async detachDataset(policy: RequestPolicy, projectId: string, datasetId: string): Promise<void> {
    await this.em.transactional(async (em) => {
      const project = await this.lockProject(em, projectId);
      const removed = await em.nativeDelete(ProjectDataset, { project: projectId, dataset: datasetId });
      if (removed === 0) throw ResourceErrors.datasetNotAttached();
      this.record(em, policy, project, 'project.dataset_detached', { datasetId });
      await em.flush();
    });
  }

  /** A project has at most one ontology: this one replaces it; null removes it. */
  async setOntology(
    policy: RequestPolicy,
    projectId: string,
    ontologyId: string | null,
  ): Promise<ProjectDto> {
    if (ontologyId) await this.access.assertReadable(policy.ctx.caller, 'ontology', ontologyId);
    await this.em.transactional(async (em) => {
      const project = await this.lockProject(em, projectId);
      const before = project.ontology?.id ?? null;
      if (before === ontologyId) return;
      project.ontology = ontologyId ? em.getReference(Resource, ontologyId, { wrapped: true }) : null;
      this.record(em, policy, project, 'project.ontology_set', {
        before: { ontologyId: before },
        after: { ontologyId },
      });
      await em.flush();
    });
    return this.project(policy, projectId);
  }

  private async lockProject(em: EntityManager, id: string): Promise<Resource> {
    const project = await em.findOne(
      Resource,
      { id, kind: 'project' },
      { lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    if (!project) throw ResourceErrors.notFound('project');
    return project;
  }

  private record(
    em: EntityManager,
    policy: RequestPolicy,
    project: Resource,
    action: string,
    data: Record<string, unknown>,
  ): void {
    this.audit.record(em, {
      organizationId: project.organization?.id ?? null,
      actorId: policy.ctx.caller.userId,
      action,
      targetType: 'project',
      targetId: project.id,
      data,
    });
  }

  private async project(policy: RequestPolicy, id: string): Promise<ProjectDto> {
    const dto = await findResourceDetail(this.em.fork(), 'project', id, policy.ctx.resource?.role ?? null);
    if (!dto) throw ResourceErrors.notFound('project');
    return dto as ProjectDto;
  }
}
