import { rulesToQuery } from '@casl/ability/extra';
import { Action, AppAbility, SubjectType } from './actions';

export interface SqlFragment {
  sql: string;
  params: unknown[];
}

/** How one condition field of the rules reads in SQL, given the value the rule compares it with. */
export type FieldSql = (value: unknown) => SqlFragment;

type Conditions = Record<string, unknown>;

/**
 * The rules that allow `action` on `subjectType`, as one SQL boolean expression: lists are filtered
 * by the database from the same rules that guard single rows (what `@casl/prisma`'s `accessibleBy`
 * does for Prisma). Null when no rule allows anything.
 */
export function accessibleSql(
  ability: AppAbility,
  action: Action,
  subjectType: SubjectType,
  fields: Record<string, FieldSql>,
): SqlFragment | null {
  const query = rulesToQuery(ability, action, subjectType, (rule) =>
    rule.inverted ? { $not: rule.conditions ?? {} } : (rule.conditions ?? {}),
  );
  if (query === null) return null;
  const parts: SqlFragment[] = [];
  const anyOf = (query.$or ?? []) as Conditions[];
  if (anyOf.length > 0)
    parts.push(
      join(
        anyOf.map((c) => conditionsSql(c, fields)),
        ' or ',
      ),
    );
  for (const notOne of (query.$and ?? []) as Conditions[]) {
    const inner = conditionsSql((notOne.$not ?? notOne) as Conditions, fields);
    parts.push({ sql: `not ${inner.sql}`, params: inner.params });
  }
  return parts.length === 0 ? { sql: 'true', params: [] } : join(parts, ' and ');
}

function conditionsSql(conditions: Conditions, fields: Record<string, FieldSql>): SqlFragment {
  const entries = Object.entries(conditions);
  if (entries.length === 0) return { sql: '(true)', params: [] };
  return join(
    entries.map(([field, value]) => {
      const toSql = fields[field];
      // A rule naming a field the list cannot translate must not silently widen the list.
      if (!toSql) throw new Error(`no SQL for condition field "${field}"`);
      return toSql(value);
    }),
    ' and ',
  );
}

function join(fragments: SqlFragment[], separator: string): SqlFragment {
  return {
    sql: `(${fragments.map((f) => f.sql).join(separator)})`,
    params: fragments.flatMap((f) => f.params),
  };
}

/**
 * The fragment with each parameter that `written` maps written as that SQL instead (columns of the
 * statement it goes into): every `?` is a parameter (sql()).
 */
export function writtenAsSql(fragment: SqlFragment, written: ReadonlyMap<unknown, string>): SqlFragment {
  const params: unknown[] = [];
  let index = 0;
  const text = fragment.sql.replace(/\?/g, () => {
    const value = fragment.params[index++];
    const sql = written.get(value);
    if (sql !== undefined) return sql;
    params.push(value);
    return '?';
  });
  return { sql: text, params };
}
