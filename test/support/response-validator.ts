import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * Checks every answer the e2e suites receive against the committed OpenAPI document: the status
 * must be declared for the operation, and the body must match the declared schema. Violations are
 * collected and fail the test that saw them (contract-check.ts), so the document cannot promise
 * less, or something else, than the service answers.
 */
const DOCUMENT_PATH = join(__dirname, '..', '..', 'openapi', 'openapi.json');
const DOCUMENT_ID = 'openapi.json';
const PROBLEM_REF = `${DOCUMENT_ID}#/components/schemas/Problem`;

/**
 * Answered before a route is chosen (unknown method, URL or path parameter too long, headers too
 * large, a request too slow): they belong to no operation, so only their problem details are checked.
 */
const BEFORE_ROUTING = new Set([405, 408, 414, 431]);

/** Served by Swagger UI, not part of the API. */
const UNDOCUMENTED_PREFIXES = ['/docs'];

interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  literalSegments: number;
  pointer: string;
  responses: Record<string, { content?: Record<string, unknown> }>;
}

export interface ObservedResponse {
  method: string;
  url: string;
  status: number;
  contentType: string | undefined;
  body: string;
}

const pointerEscape = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

class ResponseContract {
  private readonly ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  private readonly operations: Operation[] = [];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(document: { paths: Record<string, Record<string, any>> }) {
    addFormats(this.ajv);
    this.ajv.addSchema(document, DOCUMENT_ID);
    for (const [template, item] of Object.entries(document.paths)) {
      const segments = template.split('/').filter(Boolean);
      const pattern = new RegExp(
        '^/' +
          segments
            .map((s) => (s.startsWith('{') ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
            .join('/') +
          '/?$',
      );
      for (const [method, operation] of Object.entries(item)) {
        this.operations.push({
          method: method.toUpperCase(),
          template,
          pattern,
          literalSegments: segments.filter((s) => !s.startsWith('{')).length,
          pointer: `#/paths/${pointerEscape(template)}/${method}`,
          responses: operation.responses,
        });
      }
    }
  }

  /** What is wrong with this answer, or nothing. */
  violations(observed: ObservedResponse): string[] {
    const path = observed.url.split('?')[0];
    if (UNDOCUMENTED_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))) return [];
    const where = `${observed.method} ${observed.url.slice(0, 200)} -> ${observed.status}`;
    const method = observed.method === 'HEAD' ? 'GET' : observed.method;
    const operation = this.operations
      .filter((candidate) => candidate.method === method && candidate.pattern.test(path))
      .sort((a, b) => b.literalSegments - a.literalSegments)[0];
    if (!operation || BEFORE_ROUTING.has(observed.status)) {
      if (observed.status < 400) return [`${where}: no operation of the document answers this`];
      return this.bodyViolations(where, observed, PROBLEM_REF, true);
    }
    const declared = operation.responses[String(observed.status)];
    if (!declared) {
      return [
        `${where}: status ${observed.status} is not declared for ${operation.method} ${operation.template}`,
      ];
    }
    if (!declared.content) {
      return observed.body === '' || observed.method === 'HEAD'
        ? []
        : [`${where}: the document declares no body, got ${observed.body.slice(0, 200)}`];
    }
    const mediaTypes = Object.keys(declared.content);
    // A status may be declared in two formats (SCIM's and problem details, for a 400): the one answered.
    const mediaType =
      mediaTypes.find((type) => String(observed.contentType ?? '').startsWith(type)) ?? mediaTypes[0];
    const pointer = `${DOCUMENT_ID}${operation.pointer}/responses/${observed.status}/content/${pointerEscape(mediaType)}/schema`;
    const mediaViolation =
      observed.method !== 'HEAD' && !String(observed.contentType ?? '').startsWith(mediaType)
        ? [`${where}: content type ${observed.contentType}, the document declares ${mediaType}`]
        : [];
    // An error is problem details unless the document declares another format for it (RFC 6749's on the token endpoint).
    const problem = observed.status >= 400 && mediaType === 'application/problem+json';
    return [...mediaViolation, ...this.bodyViolations(where, observed, pointer, problem)];
  }

  private bodyViolations(where: string, observed: ObservedResponse, ref: string, problem: boolean): string[] {
    if (observed.method === 'HEAD') return [];
    let body: unknown;
    try {
      body = JSON.parse(observed.body);
    } catch {
      return [`${where}: the body is not JSON: ${observed.body.slice(0, 200)}`];
    }
    if (problem && !String(observed.contentType ?? '').startsWith('application/problem+json')) {
      return [`${where}: an error with content type ${observed.contentType}, not application/problem+json`];
    }
    let validate = this.validators.get(ref);
    if (!validate) {
      validate = this.ajv.compile({ $ref: ref });
      this.validators.set(ref, validate);
    }
    if (validate(body)) return [];
    const errors = (validate.errors ?? [])
      .slice(0, 5)
      .map((error) => `${error.instancePath || '(body)'} ${error.message} ${JSON.stringify(error.params)}`);
    return [
      `${where}: the body does not match the document: ${errors.join('; ')}; body ${observed.body.slice(0, 300)}`,
    ];
  }
}

let contract: ResponseContract | undefined;
const seen: string[] = [];

/** Records what is wrong with an answer; `takeContractViolations` hands the list to the test. */
export function checkResponse(observed: ObservedResponse): void {
  contract ??= new ResponseContract(JSON.parse(readFileSync(DOCUMENT_PATH, 'utf8')));
  seen.push(...contract.violations(observed));
}

export function takeContractViolations(): string[] {
  return seen.splice(0, seen.length);
}
