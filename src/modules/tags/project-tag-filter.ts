import type { SqlFragment } from '../../policy/sql-filter';
import type { TagFilterQuery } from './dto/tag-filter.query';

const placeholders = (values: unknown[]) => values.map(() => '?').join(', ');

/**
 * The `tags` (all of) and `tagsAny` filters as SQL conditions on a project alias.
 *
 * "All of" is relational division: the projects that have rows for each wanted tag, found by grouping
 * the rows of project_tags_tag_project_idx (tag_id, project_id) for just those tags and keeping the
 * groups with one row per tag. Its cost follows the tags' popularity, not the organization's size, and
 * it stays one semi-join whatever the number of tags (a chain of EXISTS per tag would make the planner
 * walk the organization's projects and probe each).
 */
export function projectTagConditions(alias: string, filter: TagFilterQuery): SqlFragment[] {
  const conditions: SqlFragment[] = [];
  const all = [...new Set(filter.tags ?? [])];
  if (all.length > 0) {
    conditions.push({
      sql: `${alias}.id in (select pt.project_id from project_tags pt where pt.tag_id in (${placeholders(all)})
                             group by pt.project_id having count(*) = ?)`,
      params: [...all, all.length],
    });
  }
  const any = [...new Set(filter.tagsAny ?? [])];
  if (any.length > 0) {
    conditions.push({
      sql: `${alias}.id in (select pt.project_id from project_tags pt where pt.tag_id in (${placeholders(any)}))`,
      params: any,
    });
  }
  return conditions;
}
