import type { SqlFragment } from '../../policy/sql-filter';

/** The `tags` (all of) and `tagsAny` filters of project lists. */
export interface ProjectTagFilter {
  tags?: readonly string[];
  tagsAny?: readonly string[];
}

/**
 * The `tags` (all of) and `tagsAny` filters as SQL conditions on a project alias.
 *
 * "All of" is relational division: the projects that have rows for each wanted tag, found by grouping
 * the rows of project_tags_tag_project_idx (tag_id, project_id) for just those tags and keeping the
 * groups with one row per tag. Its cost follows the tags' popularity, not the organization's size, and
 * it stays one semi-join whatever the number of tags (a chain of EXISTS per tag would make the planner
 * walk the organization's projects and probe each).
 */
export function projectTagConditions(alias: string, filter: ProjectTagFilter): SqlFragment[] {
  const conditions: SqlFragment[] = [];
  const all = [...new Set(filter.tags ?? [])];
  if (all.length > 0) {
    conditions.push({
      sql: `${alias}.id in (select pt.project_id from project_tags pt where pt.tag_id = any(?::uuid[])
                             group by pt.project_id having count(*) = ?)`,
      params: [all, all.length],
    });
  }
  const any = [...new Set(filter.tagsAny ?? [])];
  if (any.length > 0) {
    conditions.push({
      sql: `${alias}.id in (select pt.project_id from project_tags pt where pt.tag_id = any(?::uuid[]))`,
      params: [any],
    });
  }
  return conditions;
}

/** A project's tags as a JSON array of `{ id, name }` by name, given the SQL of the project's id. */
export const projectTagsJsonSql = (projectId: string): string =>
  `coalesce((select json_agg(json_build_object('id', t.id, 'name', t.name) order by lower(t.name), t.id)
               from project_tags pt join tags t on t.id = pt.tag_id
              where pt.project_id = ${projectId}), '[]'::json)`;

/**
 * The tags of a page of projects (the `page` CTE of the statement) in one grouped join, as
 * `(project_id, tags)`: a subquery per row would make the planner scan the organization's tags once
 * per project (hash join on a small table).
 */
export const PAGE_TAGS_SQL = `select pt.project_id,
         json_agg(json_build_object('id', t.id, 'name', t.name) order by lower(t.name), t.id) as tags
    from project_tags pt join tags t on t.id = pt.tag_id
   where pt.project_id in (select id from page)
   group by pt.project_id`;
