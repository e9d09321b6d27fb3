import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { RequestPolicy } from '../../policy/current-policy.decorator';
import { AuditService } from '../audit/audit.service';
import { ProjectDto } from './dto/resource.dto';
import { ProjectDataset } from './entities/project-dataset.entity';
import { Resource } from './entities/resource.entity';
import { ResourceAccess } from './resource-access.service';
import { resourceEvent } from './resource-event';
import { ResourceErrors } from './resources.errors';
import { ResourcesRepository } from './resources.repository';

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
    private readonly resources: ResourcesRepository,
  ) {}

  /** Attaching a dataset that is already attached changes nothing. */
  async attachDataset(policy: RequestPolicy, projectId: string, datasetId: string): Promise<ProjectDto> {
    await this.access.assertReadable(policy.ctx.caller, 'dataset', datasetId);
    await this.em.transactional(async (em) => {
      const project = await this.resources.lock(em, 'project', projectId);
      if (!(await this.resources.attachDataset(em, projectId, datasetId))) return;
      this.audit.record(em, resourceEvent(policy, project, 'project.dataset_attached', { datasetId }));
      await em.flush();
    });
    return this.project(policy, projectId);
  }

  async detachDataset(policy: RequestPolicy, projectId: string, datasetId: string): Promise<void> {
    await this.em.transactional(async (em) => {
      const project = await this.resources.lock(em, 'project', projectId);
      const removed = await em.nativeDelete(ProjectDataset, { project: projectId, dataset: datasetId });
      if (removed === 0) throw ResourceErrors.datasetNotAttached();
      this.audit.record(em, resourceEvent(policy, project, 'project.dataset_detached', { datasetId }));
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
      const project = await this.resources.lock(em, 'project', projectId);
      const before = project.ontology?.id ?? null;
      if (before === ontologyId) return;
      project.ontology = ontologyId ? em.getReference(Resource, ontologyId, { wrapped: true }) : null;
      this.audit.record(
        em,
        resourceEvent(policy, project, 'project.ontology_set', {
          before: { ontologyId: before },
          after: { ontologyId },
        }),
      );
      await em.flush();
    });
    return this.project(policy, projectId);
  }

  private async project(policy: RequestPolicy, id: string): Promise<ProjectDto> {
    const dto = await this.resources.findDetail(
      this.em.fork(),
      'project',
      id,
      policy.ctx.resource?.role ?? null,
    );
    if (!dto) throw ResourceErrors.notFound('project');
    return dto as ProjectDto;
  }
}
