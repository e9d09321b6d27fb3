import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { RequestPolicy } from '../../policy/current-policy.decorator';
import { AuditService } from '../audit/audit.service';
import { ProjectTag } from '../tags/entities/project-tag.entity';
import { Tag } from '../tags/entities/tag.entity';
import { TagRefDto } from './dto/resource.dto';
import { Resource } from './entities/resource.entity';
import { ResourceErrors } from './resources.errors';

/** The organization's tags on one of its projects (the tags themselves are managed by the tags module). */
@Injectable()
export class ProjectTagsService {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
  ) {}

  /** Adding a tag the project already has changes nothing. */
  async add(policy: RequestPolicy, projectId: string, tagId: string): Promise<TagRefDto> {
    return this.em.transactional(async (em) => {
      const project = await em.findOne(Resource, { id: projectId, kind: 'project' });
      if (!project) throw ResourceErrors.notFound('project');
      const organizationId = project.organization?.id;
      // Unknown tags and other organizations' tags get the same answer: no probing across tenants.
      const tag = organizationId ? await em.findOne(Tag, { id: tagId, organization: organizationId }) : null;
      if (!tag || !organizationId) throw ResourceErrors.tagOfOtherOrg();
      const inserted = await em.getConnection().execute<{ id: string }[]>(
        `insert into project_tags (id, project_id, tag_id, organization_id, created_at)
         values (gen_random_uuid(), ?, ?, ?, now())
         on conflict (project_id, tag_id) do nothing
         returning id`,
        [projectId, tagId, organizationId],
        'all',
        em.getTransactionContext(),
      );
      if (inserted.length > 0) {
        this.audit.record(em, {
          organizationId,
          actorId: policy.ctx.caller.userId,
          action: 'project.tag_added',
          targetType: 'project',
          targetId: projectId,
          data: { tagId, name: tag.name },
        });
        await em.flush();
      }
      return { id: tag.id, name: tag.name };
    });
  }

  async remove(policy: RequestPolicy, projectId: string, tagId: string): Promise<void> {
    await this.em.transactional(async (em) => {
      const removed = await em.nativeDelete(ProjectTag, { project: projectId, tag: tagId });
      if (removed === 0) throw ResourceErrors.tagNotOnProject();
      this.audit.record(em, {
        organizationId: policy.ctx.resource?.organizationId ?? null,
        actorId: policy.ctx.caller.userId,
        action: 'project.tag_removed',
        targetType: 'project',
        targetId: projectId,
        data: { tagId },
      });
      await em.flush();
    });
  }
}
