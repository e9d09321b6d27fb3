import { ScimErrors } from './scim.errors';

/** One `attribute eq value` comparison of a filter; a filter is their conjunction. */
export interface ScimComparison {
  /** Lower case, without the core schema's URN: `username`, `externalid`, `members.value`. */
  attribute: string;
  value: string | boolean | number | null;
}

const CORE_PREFIX = /^urn:ietf:params:scim:schemas:core:2\.0:(user|group):/i;
const TOKEN = /\s*("(?:[^"\\]|\\.)*"|[^\s()"]+)/y;

/**
 * The filters identity providers send (RFC 7644 §3.4.2.2): `eq` comparisons joined by `and`, as in
 * `userName eq "ada@example.com"` (Okta), `externalId eq "..."` and `id eq "..." and members eq "..."`
 * (Entra ID). Anything else is refused with `invalidFilter`, never ignored: a filter that silently
 * matched everything would make a provider believe a user exists.
 */
export function parseScimFilter(filter: string | undefined, allowed: readonly string[]): ScimComparison[] {
  if (filter === undefined || filter.trim() === '') return [];
  if (filter.length > 1000) throw ScimErrors.invalidFilter('The filter is longer than 1000 characters');
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let match: RegExpExecArray | null;
  while (TOKEN.lastIndex < filter.length && (match = TOKEN.exec(filter))) tokens.push(match[1]);
  if (filter.slice(TOKEN.lastIndex).trim() !== '') throw ScimErrors.invalidFilter(`Cannot read the filter: ${filter}`);
  const comparisons: ScimComparison[] = [];
  for (let at = 0; at < tokens.length; at += 4) {
    const [attributePath, operator, literal, joiner] = tokens.slice(at, at + 4);
    if (literal === undefined || operator.toLowerCase() !== 'eq') {
      throw ScimErrors.invalidFilter('Only `attribute eq value` comparisons joined by `and` are supported');
    }
    if (joiner !== undefined && joiner.toLowerCase() !== 'and') {
      throw ScimErrors.invalidFilter('Only `and` joins comparisons');
    }
    if (joiner !== undefined && at + 4 >= tokens.length) throw ScimErrors.invalidFilter('The filter ends after `and`');
    const attribute = attributePath.replace(CORE_PREFIX, '').toLowerCase();
    if (!allowed.includes(attribute)) {
      throw ScimErrors.invalidFilter(`Filtering on ${attributePath} is not supported (supported: ${allowed.join(', ')})`);
    }
    comparisons.push({ attribute, value: parseLiteral(literal) });
  }
  return comparisons;
}

function parseLiteral(literal: string): ScimComparison['value'] {
  if (literal.startsWith('"')) {
    try {
      return JSON.parse(literal) as string;
    } catch {
      throw ScimErrors.invalidFilter(`Not a valid string: ${literal}`);
    }
  }
  const lower = literal.toLowerCase();
  if (lower === 'true' || lower === 'false') return lower === 'true';
  if (lower === 'null') return null;
  if (/^-?\d+(\.\d+)?$/.test(literal)) return Number(literal);
  throw ScimErrors.invalidFilter(`Not a value: ${literal}`);
}

/** The one value a filter compares an attribute with, if it does; a string or nothing. */
export function filterValue(comparisons: readonly ScimComparison[], attribute: string): string | undefined {
  const found = comparisons.find((comparison) => comparison.attribute === attribute);
  if (!found) return undefined;
  if (typeof found.value !== 'string') throw ScimErrors.invalidFilter(`${attribute} is compared with a string`);
  return found.value;
}
