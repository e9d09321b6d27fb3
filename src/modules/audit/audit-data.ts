import { createHash } from 'node:crypto';
import { canonicalJson } from '../../common/json-document';

/**
 * The audit log keeps who changed what, not a copy of everything: a value too large to be worth
 * storing twice per change (an ontology structure, a long description) is kept as its size and hash,
 * which still tells whether two versions are the same.
 */
export const AUDIT_MAX_STRING_LENGTH = 1000;
export const AUDIT_MAX_JSON_BYTES = 2048;

export interface OmittedValue {
  $omitted: { bytes: number; sha256: string };
}

const omitted = (text: string): OmittedValue => ({
  $omitted: { bytes: Buffer.byteLength(text), sha256: createHash('sha256').update(text).digest('hex') },
});

/** A JSON document as the audit log keeps it: whole when small, otherwise its size and hash. */
export function auditedJson(value: unknown): unknown {
  const text = canonicalJson(value);
  return Buffer.byteLength(text) <= AUDIT_MAX_JSON_BYTES ? value : omitted(text);
}

/** The fields whose values differ, before and after; empty objects when nothing changed. */
export function changedFields<T extends Record<string, unknown>>(
  before: T,
  after: T,
): { before: Partial<T>; after: Partial<T> } {
  const keys = Object.keys({ ...before, ...after }).filter(
    (key) => canonicalJson(before[key]) !== canonicalJson(after[key]),
  );
  return {
    before: Object.fromEntries(keys.map((key) => [key, before[key]])) as Partial<T>,
    after: Object.fromEntries(keys.map((key) => [key, after[key]])) as Partial<T>,
  };
}

/** Dates and other class instances are left for JSON serialization to write as it always does. */
const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null &&
  typeof value === 'object' &&
  [Object.prototype, null].includes(Object.getPrototypeOf(value) as object | null);

/** Every string of an event's data longer than AUDIT_MAX_STRING_LENGTH, at any depth, becomes its size and hash. */
export function withLongStringsOmitted(value: unknown): unknown {
  if (typeof value === 'string') return value.length > AUDIT_MAX_STRING_LENGTH ? omitted(value) : value;
  if (Array.isArray(value)) return value.map(withLongStringsOmitted);
  if (isPlainObject(value))
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, withLongStringsOmitted(v)]));
  return value;
}
