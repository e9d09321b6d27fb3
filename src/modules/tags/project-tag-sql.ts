import { compactJsonArraySql } from '../../common/json-answer';
import type { SqlFragment } from '../../policy/sql-filter';

/** The `tags` (all of) and `tagsAny` filters of project lists. */
export interface ProjectTagFilter {
  tags?: readonly string[];
  tagsAny?: readonly string[];
}

/**
 * The `tags` (all of) and `tagsAny` filters as SQL conditions on a project alias, over the project's
 * own copy of its tag ids (`resources.tag_ids`, kept by the project_tags triggers) and its GIN index.
 *
 * One predicate on the row, not a join, so that the planner can answer it both ways: from the GIN
 * index when few projects match (their rows only, then the page's sort), or by walking the list's
 * keyset index in its order and stopping at the page's end when many do. Relational division over
 * project_tags read every row of every wanted tag (40,000 for the three most used ones at the bench's
 * scale) to serve 50. Measurements in docs/decisions.md ("Tag filter structure").
 */
export function projectTagConditions(alias: string, filter: ProjectTagFilter): SqlFragment[] {
  const conditions: SqlFragment[] = [];
  const all = [...new Set(filter.tags ?? [])];
  if (all.length > 0) conditions.push({ sql: `${alias}.tag_ids @> ?::uuid[]`, params: [all] });
  const any = [...new Set(filter.tagsAny ?? [])];
  if (any.length > 0) conditions.push({ sql: `${alias}.tag_ids && ?::uuid[]`, params: [any] });
  return conditions;
}

/** A project's tags as a JSON array of `{ id, name }` by name, given the SQL of the project's id. */
export const projectTagsJsonSql = (projectId: string): string =>
  `coalesce((select json_agg(json_build_object('id', t.id, 'name', t.name) order by lower(t.name), t.id)
               from project_tags pt join tags t on t.id = pt.tag_id
              where pt.project_id = ${projectId}), '[]'::json)`;

/**
 * The tags of a page of projects (the `page` CTE of the statement) in one grouped join, as
 * `(project_id, tags)`, tags a compact JSON array of `{ id, name }` as text (a page's answer is sent
 * as PostgreSQL writes it): a subquery per row would make the planner scan the organization's tags
 * once per project (hash join on a small table).
 */
export const PAGE_TAGS_SQL = `select pt.project_id,
         ${compactJsonArraySql('(select row_to_json(x) from (select t.id, t.name) x)', 'lower(t.name), t.id')} as tags
    from project_tags pt join tags t on t.id = pt.tag_id
   where pt.project_id in (select id from page)
   group by pt.project_id`;
