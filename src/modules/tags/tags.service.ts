import { EntityManager, LockMode } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { CursorElements, keysetCursor, Page } from '../../common/pagination';
import { AuditService } from '../audit/audit.service';
import { QuotasService } from '../quotas/quotas.service';
import { Organization } from '../organizations/entities/organization.entity';
import { TagRefDto, TagDto } from './dto/tag.dto';
import { Tag } from './entities/tag.entity';
import { TagErrors } from './tags.errors';

interface TagRow {
  id: string;
  name: string;
  project_count: string | number;
}

/** Tags by (lowercased name, id). */
const TAGS_CURSOR = keysetCursor(CursorElements.text, CursorElements.uuid);

const toDto = (row: TagRow): TagDto => ({
  id: row.id,
  name: row.name,
  projectCount: Number(row.project_count),
});

@Injectable()
export class TagsService {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
    private readonly quotas: QuotasService,
  ) {}

  /** The organization's tags by name, each with the number of projects carrying it. */
  async list(organizationId: string, query: { limit: number; cursor?: string }): Promise<Page<TagDto>> {
    const after = TAGS_CURSOR.decode(query.cursor);
    const rows = await this.em.getConnection().execute<(TagRow & { sort_name: string })[]>(
      `select t.id, t.name, lower(t.name) as sort_name,
              (select count(*) from project_tags pt where pt.tag_id = t.id) as project_count
         from tags t
        where t.organization_id = ? ${after ? 'and (lower(t.name), t.id) > (?, ?)' : ''}
        order by lower(t.name), t.id
        limit ?`,
      [organizationId, ...(after ?? []), query.limit + 1],
    );
    return TAGS_CURSOR.page(rows, query.limit, (row) => [row.sort_name, row.id], toDto);
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
      const [row] = await em
        .getConnection()
        .execute<TagRow[]>(
          'select t.id, t.name, (select count(*) from project_tags pt where pt.tag_id = t.id) as project_count from tags t where t.id = ?',
          [tagId],
          'all',
          em.getTransactionContext(),
        );
      return toDto(row);
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
      const [{ count }] = await em
        .getConnection()
        .execute<{ count: string }[]>(
          'select count(*) from project_tags where tag_id = ?',
          [tagId],
          'all',
          em.getTransactionContext(),
        );
      const projectCount = Number(count);
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

  /** Puts one of the project's organization's tags on it; putting it twice changes nothing. */
  async tagProject(
    actorId: string,
    project: { id: string; organizationId: string | null },
    tagId: string,
  ): Promise<TagRefDto> {
    return this.em.transactional(async (em) => {
      // Share-locked until commit: a removal of the tag waits for this tagging (and then counts it), or
      // runs first and the tag is gone here.
      const tag = await em.findOne(Tag, tagId, { lockMode: LockMode.PESSIMISTIC_READ });
      // A tag of another organization, or none: the same answer, so other tenants' ids reveal nothing.
      if (!tag || !project.organizationId || tag.organization.id !== project.organizationId)
        throw TagErrors.ofOtherOrganization();
      const inserted = await em.getConnection().execute<{ id: string }[]>(
        `insert into project_tags (id, project_id, tag_id, organization_id, created_at)
         values (gen_random_uuid(), ?, ?, ?, now()) on conflict (project_id, tag_id) do nothing returning id`,
        [project.id, tagId, project.organizationId],
        'all',
        em.getTransactionContext(),
      );
      if (inserted.length > 0) {
        this.audit.record(em, {
          organizationId: project.organizationId,
          actorId,
          action: 'project.tag_added',
          targetType: 'project',
          targetId: project.id,
          data: { tagId, name: tag.name },
        });
        await em.flush();
      }
      return { id: tag.id, name: tag.name };
    });
  }

  async untagProject(
    actorId: string,
    project: { id: string; organizationId: string | null },
    tagId: string,
  ): Promise<void> {
    await this.em.transactional(async (em) => {
      const removed = await em
        .getConnection()
        .execute<{ id: string }[]>(
          'delete from project_tags where project_id = ? and tag_id = ? returning id',
          [project.id, tagId],
          'all',
          em.getTransactionContext(),
        );
      if (removed.length === 0) throw TagErrors.notOnProject();
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

  /** The friendly answer first; the unique index tags_org_name_unique is what holds under races. */
  private async assertNameFree(em: EntityManager, organizationId: string, name: string): Promise<void> {
    const [row] = await em
      .getConnection()
      .execute(
        'select 1 from tags where organization_id = ? and lower(name) = lower(?)',
        [organizationId, name],
        'all',
        em.getTransactionContext(),
      );
    if (row) throw TagErrors.nameTaken();
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
