import { DECORATORS } from '@nestjs/swagger';
import { statusOfErrorCode } from './app-error';
import { PROBLEM_SCHEMA } from './problem-details.schema';

const PROBLEM_CODES = 'problemCodes';

/**
 * The problem details for a set of codes of one status: the shared schema with `code` narrowed to
 * them, so a generated client gets a union of the codes it must handle.
 */
export function problemResponseSchema(codes: string[]) {
  return {
    allOf: [
      { $ref: `#/components/schemas/${PROBLEM_SCHEMA}` },
      { type: 'object', properties: { code: { type: 'string', enum: [...codes].sort() } } },
    ],
  };
}

export const describeCodes = (codes: string[]) =>
  [...codes]
    .sort()
    .map((code) => `\`${code}\``)
    .join(', ');

/**
 * Declares error codes a route can answer. Codes accumulate across decorators (a route's own,
 * `@Authorize`'s, `@PublicAuthRoute`'s); each status gets one response listing all of its codes.
 * The status of each code is the one its feature declared, so the document cannot disagree with it.
 * Statuses every route shares (400, 413, 415, 404 with a path id, 503) are added by the document
 * builder (`openapi-contract.ts`).
 */
export function ApiProblems(...codes: (string | { code: string; status: number })[]): MethodDecorator {
  return (_target, _key, descriptor) => {
    const handler = descriptor.value as object;
    // `code` or `code@status` for a code the route answers with its other declared status.
    const named = codes.map((code) => (typeof code === 'string' ? code : `${code.code}@${code.status}`));
    const all = [
      ...new Set([...((Reflect.getMetadata(PROBLEM_CODES, handler) as string[]) ?? []), ...named]),
    ];
    Reflect.defineMetadata(PROBLEM_CODES, all, handler);
    const byStatus = new Map<number, string[]>();
    for (const entry of all) {
      const [code, explicit] = entry.split('@');
      const status = explicit ? Number(explicit) : statusOfErrorCode(code);
      byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
    }
    // Written directly rather than through ApiResponse, which would append to the description.
    const responses =
      (Reflect.getMetadata(DECORATORS.API_RESPONSE, handler) as Record<string, unknown>) ?? {};
    for (const [status, statusCodes] of byStatus) {
      responses[status] = {
        description: describeCodes(statusCodes),
        schema: problemResponseSchema(statusCodes),
      };
    }
    Reflect.defineMetadata(DECORATORS.API_RESPONSE, responses, handler);
    return descriptor;
  };
}
