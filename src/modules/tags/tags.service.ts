import { EntityManager, LockMode } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Page } from '../../common/pagination';
import { AuditService } from '../audit/audit.service';
import { QuotasService } from '../quotas/quotas.service';
import { Organization } from '../organizations/entities/organization.entity';
import { TagRefDto, TagDto } from './dto/tag.dto';
import { Tag } from './entities/tag.entity';
import { TagErrors } from './tags.errors';
import { TagsRepository } from './tags.repository';

@Injectable()
export class TagsService {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
    private readonly quotas: QuotasService,
    private readonly tags: TagsRepository,
  ) {}

  /** The organization's tags by name, each with the number of projects carrying it. */
  list(organizationId: string, query: { limit: number; cursor?: string }): Promise<Page<TagDto>> {
    return this.tags.page(this.em.fork(), organizationId, query);
  }

  async create(actorId: string, organizationId: string, name: string): Promise<TagDto> {
    return this.em.transactional(async (em) => {
      await this.quotas.assertRoomFor(em, organizationId, 'tags');
      await this.assertNameFree(em, organizationId, name);
      const tag = em.create(Tag, { organization: em.getReference(Organization, organizationId), name });
      this.audit.record(em, {
        organizationId,
        actorId,
        action: 'tag.created',
        targetType: 'tag',
        targetId: tag.id,
        data: { name },
      });
      await em.flush();
      return { id: tag.id, name: tag.name, projectCount: 0 };
    });
  }

  async rename(actorId: string, organizationId: string, tagId: string, name: string): Promise<TagDto> {
    return this.em.transactional(async (em) => {
      const tag = await this.findInOrganization(em, organizationId, tagId);
      const before = tag.name;
      if (before.toLowerCase() !== name.toLowerCase()) await this.assertNameFree(em, organizationId, name);
      tag.name = name;
      this.audit.record(em, {
        organizationId,
        actorId,
        action: 'tag.renamed',
        targetType: 'tag',
        targetId: tagId,
        data: { before, after: name },
      });
      await em.flush();
      return this.tags.find(em, tagId);
    });
  }

  /**
   * A tag that projects use goes only with `confirm`; then it leaves every project in the same
   * statement (the foreign key cascades). The row lock keeps a concurrent tagging from slipping in
   * between the count and the delete.
   */
  async remove(actorId: string, organizationId: string, tagId: string, confirm: boolean): Promise<void> {
    await this.em.transactional(async (em) => {
      const tag = await this.findInOrganization(em, organizationId, tagId, true);
      const projectCount = await this.tags.projectCount(em, tagId);
      if (projectCount > 0 && !confirm) throw TagErrors.inUse(projectCount);
      em.remove(tag);
      this.audit.record(em, {
        organizationId,
        actorId,
        action: 'tag.deleted',
        targetType: 'tag',
        targetId: tagId,
        data: { name: tag.name, projectCount },
      });
      await em.flush();
    });
  }

  /** Puts one of the project's organization's tags on it; putting it twice changes nothing. One statement. */
  async tagProject(
    actorId: string,
    project: { id: string; organizationId: string | null },
    tagId: string,
  ): Promise<TagRefDto> {
    // A tag of another organization, or none: the same answer, so other tenants' ids reveal nothing.
    const organizationId = project.organizationId;
    if (!organizationId) throw TagErrors.ofOtherOrganization();
    const audit = this.audit.insertSql(
      {
        organizationId,
        actorId,
        action: 'project.tag_added',
        targetType: 'project',
        targetId: project.id,
        data: { tagId },
      },
      'tagged, tag',
      // Tag names are at most 50 characters (TagNameDto): no long string to omit.
      { moreData: "jsonb_build_object('name', tag.name)" },
    );
    const name = await this.tags.tagProjectOnce(this.em, project.id, organizationId, tagId, audit);
    if (name === undefined) throw TagErrors.ofOtherOrganization();
    return { id: tagId, name };
  }

  async untagProject(
    actorId: string,
    project: { id: string; organizationId: string | null },
    tagId: string,
  ): Promise<void> {
    await this.em.transactional(async (em) => {
      if (!(await this.tags.untagProject(em, project.id, tagId))) throw TagErrors.notOnProject();
      this.audit.record(em, {
        organizationId: project.organizationId,
        actorId,
        action: 'project.tag_removed',
        targetType: 'project',
        targetId: project.id,
        data: { tagId },
      });
      await em.flush();
    });
  }

  /**
   * A project being created gets its first tags, which must be its organization's (none when it has
   * no organization). The project's row must be written already.
   */
  async tagNewProject(
    em: EntityManager,
    projectId: string,
    organizationId: string | null,
    tagIds: readonly string[],
  ): Promise<void> {
    if (tagIds.length === 0) return;
    if (organizationId === null || (await this.tags.lockTagsOf(em, organizationId, tagIds)) !== tagIds.length)
      throw TagErrors.ofOtherOrganization();
    await this.tags.tagProject(em, projectId, organizationId, tagIds);
  }

  /** The friendly answer first; the unique index tags_org_name_unique is what holds under races. */
  private async assertNameFree(em: EntityManager, organizationId: string, name: string): Promise<void> {
    if (await this.tags.isNameTaken(em, organizationId, name)) throw TagErrors.nameTaken();
  }

  private async findInOrganization(
    em: EntityManager,
    organizationId: string,
    tagId: string,
    lock = false,
  ): Promise<Tag> {
    const tag = await em.findOne(
      Tag,
      { id: tagId, organization: organizationId },
      lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {},
    );
    if (!tag) throw TagErrors.notFound();
    return tag;
  }
}
