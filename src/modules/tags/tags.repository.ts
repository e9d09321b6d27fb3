import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { CursorElements, keysetCursor, Page } from '../../common/pagination';
import { sql } from '../../database/sql';
import type { SqlFragment } from '../../policy/sql-filter';
import { TagDto } from './dto/tag.dto';

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

const SELECT_TAG = `select t.id, t.name, lower(t.name) as sort_name,
       (select count(*) from project_tags pt where pt.tag_id = t.id) as project_count
  from tags t`;

/** The SQL of tags and of the tags on projects (project_tags): the only writer of project_tags. */
@Injectable()
export class TagsRepository {
  /** The organization's tags by name, each with the number of projects carrying it. */
  async page(
    em: EntityManager,
    organizationId: string,
    query: { limit: number; cursor?: string },
  ): Promise<Page<TagDto>> {
    const after = TAGS_CURSOR.decode(query.cursor);
    const rows = await sql<TagRow & { sort_name: string }>(
      em,
      `${SELECT_TAG}
        where t.organization_id = ? ${after ? 'and (lower(t.name), t.id) > (?::text, ?::uuid)' : ''}
        order by lower(t.name), t.id
        limit ?`,
      [organizationId, ...(after ?? []), query.limit + 1],
    );
    return TAGS_CURSOR.page(rows, query.limit, (row) => [row.sort_name, row.id], toDto);
  }

  async find(em: EntityManager, tagId: string): Promise<TagDto> {
    const [row] = await sql<TagRow>(em, `${SELECT_TAG} where t.id = ?`, [tagId]);
    return toDto(row);
  }

  async projectCount(em: EntityManager, tagId: string): Promise<number> {
    const [{ count }] = await sql<{ count: string }>(
      em,
      'select count(*) from project_tags where tag_id = ?',
      [tagId],
    );
    return Number(count);
  }

  async isNameTaken(em: EntityManager, organizationId: string, name: string): Promise<boolean> {
    const rows = await sql(
      em,
      'select 1 from tags where organization_id = ? and lower(name) = lower(?::text)',
      [organizationId, name],
    );
    return rows.length > 0;
  }

  /**
   * How many of these tags are the organization's, their rows locked as the insert's foreign key
   * would: a tag being deleted now is waited for, then missing.
   */
  async lockTagsOf(em: EntityManager, organizationId: string, tagIds: readonly string[]): Promise<number> {
    const rows = await sql(
      em,
      `select id from tags where organization_id = ? and id = any(?::uuid[]) for key share`,
      [organizationId, tagIds],
    );
    return rows.length;
  }

  /**
   * Puts the tag on the project when it is the organization's, in one statement: the tag's row is
   * locked as the tagging's foreign key locks it (`for key share`), so a removal of the tag waits for
   * this tagging or ran first and the tag is missing. `audit` (an insert over the `tagged` rows, with
   * `tag.name`) records the tagging, only when it was not there already. The tag's name, undefined
   * when the tag is not the organization's.
   */
  async tagProjectOnce(
    em: EntityManager,
    projectId: string,
    organizationId: string,
    tagId: string,
    audit: SqlFragment,
  ): Promise<string | undefined> {
    const [row] = await sql<{ name: string | null }>(
      em,
      `with tag as (select id, name from tags where id = ?::uuid and organization_id = ?::uuid for key share),
       tagged as (
         insert into project_tags (id, project_id, tag_id, organization_id, created_at)
         select gen_random_uuid(), ?::uuid, tag.id, ?::uuid, now() from tag
         on conflict (project_id, tag_id) do nothing
         returning tag_id),
       audit as (${audit.sql})
       select (select name from tag) as name`,
      [tagId, organizationId, projectId, organizationId, ...audit.params],
    );
    return row.name ?? undefined;
  }

  /** The tags on the project; a tag already there is left as it is. Returns the ids put on it now. */
  async tagProject(
    em: EntityManager,
    projectId: string,
    organizationId: string,
    tagIds: readonly string[],
  ): Promise<string[]> {
    const rows = await sql<{ tag_id: string }>(
      em,
      `insert into project_tags (id, project_id, tag_id, organization_id, created_at)
       select gen_random_uuid(), ?::uuid, tag_id, ?::uuid, now() from unnest(?::uuid[]) as tag_id
       on conflict (project_id, tag_id) do nothing
       returning tag_id`,
      [projectId, organizationId, tagIds],
    );
    return rows.map((row) => row.tag_id);
  }

  async untagProject(em: EntityManager, projectId: string, tagId: string): Promise<boolean> {
    const rows = await sql(em, 'delete from project_tags where project_id = ? and tag_id = ? returning id', [
      projectId,
      tagId,
    ]);
    return rows.length > 0;
  }
}
