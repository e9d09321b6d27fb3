import { ValidateBy, ValidationOptions } from 'class-validator';

/** Object keys sorted at every depth (arrays keep their order): a stable, diffable document. */
export function sortKeysDeep<T>(value: T): T {
  if (Array.isArray(value)) return value.map(sortKeysDeep) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeysDeep((value as Record<string, unknown>)[key])]),
    ) as T;
  }
  return value;
}

/**
 * JSON with object keys sorted: PostgreSQL's jsonb gives keys back in its own order, so the same
 * document read from the database and sent by a client serializes (and hashes) alike.
 */
export const canonicalJson = (value: unknown): string => JSON.stringify(sortKeysDeep(value)) ?? 'null';

/** How deep a JSON document nests, walked without recursion (a deep document must not overflow the stack). */
export function jsonDepth(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    deepest = Math.max(deepest, depth);
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * A JSON object of at most `maxBytes` (UTF-8, serialized) nested at most `maxDepth` levels. The
 * depth is checked first: only then is serializing it safe.
 */
export function IsJsonObjectWithin(
  limits: { maxBytes: number; maxDepth: number },
  options?: ValidationOptions,
): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isJsonObjectWithin',
      constraints: [limits.maxBytes, limits.maxDepth],
      validator: {
        validate: (value: unknown) =>
          value !== null &&
          typeof value === 'object' &&
          !Array.isArray(value) &&
          jsonDepth(value) <= limits.maxDepth &&
          Buffer.byteLength(JSON.stringify(value)) <= limits.maxBytes,
        defaultMessage: (args) =>
          `${args?.property} must be a JSON object of at most ${limits.maxBytes} bytes, nested at most ${limits.maxDepth} levels`,
      },
    },
    options,
  );
}
