import type { OpenAPIObject } from '@nestjs/swagger';
import { CommonErrorCode } from './app-error';
import { describeCodes, problemResponseSchema } from './api-problems.decorator';
import { OAUTH_ERROR_REF, OAUTH_ERROR_SCHEMA, OAUTH_ERROR_SCHEMA_OBJECT } from './oauth-errors';
import { PROBLEM_MEDIA_TYPE, PROBLEM_SCHEMA, PROBLEM_SCHEMA_OBJECT } from './problem-details.schema';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the generated document is walked as plain JSON
type Json = Record<string, any>;

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/**
 * What every operation can answer whatever it does, added here once rather than on each route:
 * any input can be refused (400: bad percent-encoding and text PostgreSQL cannot store, in any path
 * or query), a body, even one the route does not take, can be too large or not JSON (413, 415), a
 * path id can name nothing (404), anything unforeseen is a 500 whose `requestId` finds its log line,
 * and the database can be out of reach (503). 405, 408, 414 and 431 are answered before a route is
 * chosen, so they belong to no operation; they are problem details all the same.
 */
function addCommonProblems(operation: Json): void {
  addProblems(operation, [CommonErrorCode.VALIDATION_FAILED], 400);
  // Any request may carry a body, which is read (and refused) before the route looks at it.
  addProblems(operation, [CommonErrorCode.PAYLOAD_TOO_LARGE], 413);
  addProblems(operation, [CommonErrorCode.UNSUPPORTED_MEDIA_TYPE], 415);
  if ((operation.parameters ?? []).some((parameter: Json) => parameter.in === 'path')) {
    addProblems(operation, [CommonErrorCode.NOT_FOUND], 404);
  }
  addProblems(operation, [CommonErrorCode.INTERNAL_ERROR], 500);
  addProblems(operation, [CommonErrorCode.SERVICE_UNAVAILABLE], 503);
}

/** Declares that the operation may answer these codes under this status, beside those already declared. */
export function addProblems(operation: Json, codes: string[], status: number): void {
  // A status the route answers in another protocol's error format (RFC 6749 on the token endpoint) keeps it.
  if (isOAuthError(operation.responses[status])) return;
  const existing: string[] = problemCodes(operation.responses[status]) ?? [];
  const all = [...new Set([...existing, ...codes])];
  operation.responses[status] = {
    description: describeCodes(all),
    content: { [PROBLEM_MEDIA_TYPE]: { schema: problemResponseSchema(all) } },
  };
}

function isOAuthError(response: Json | undefined): boolean {
  const schema = response?.content && (Object.values(response.content)[0] as Json | undefined)?.schema;
  return schema?.$ref === OAUTH_ERROR_REF;
}

function problemCodes(response: Json | undefined): string[] | undefined {
  const schema = response?.content && (Object.values(response.content)[0] as Json | undefined)?.schema;
  return schema?.allOf?.[1]?.properties?.code?.enum;
}

/** Error responses are problem details: the media type the problem-details filter sends. */
function useProblemMediaType(operation: Json): void {
  for (const [status, response] of Object.entries<Json>(operation.responses)) {
    if (Number(status) < 400 || !response.content || isOAuthError(response)) continue;
    const schema = (Object.values(response.content)[0] as Json).schema;
    response.content = { [PROBLEM_MEDIA_TYPE]: { schema } };
  }
}

/**
 * The contract's naming convention, applied once to every schema and parameter: `id` and `…Id`
 * are uuids, `…At` are timestamps, and the API has no fractional numbers. The response validator of
 * the e2e suites checks every answer against these formats, so a name that breaks the convention
 * fails a test rather than misleading a client.
 */
function preciseTypes(schema: Json, name?: string): void {
  if (!schema || typeof schema !== 'object') return;
  if (schema.type === 'string' && name && !schema.format && !schema.enum) {
    if (name === 'id' || (/[a-z]Id$/.test(name) && !OTHER_SYSTEMS_IDS.includes(name))) schema.format = 'uuid';
    else if (/[a-z]At$/.test(name)) schema.format = 'date-time';
  }
  if (schema.type === 'number') schema.type = 'integer';
  // OpenAPI 3.0.3: `nullable` does not extend an `enum`; null must be one of its values.
  if (schema.nullable && Array.isArray(schema.enum) && !schema.enum.includes(null))
    schema.enum = [...schema.enum, null];
  // A property that names an enum component (`ProjectRole`) is written `allOf: [{ $ref }]` by the
  // generator; a lone reference says the same, and OpenAPI 3.0 ignores a reference's siblings.
  if (schema.allOf?.length === 1 && schema.allOf[0].$ref && !schema.type && !schema.nullable) {
    const [reference] = schema.allOf;
    for (const key of Object.keys(schema)) delete schema[key];
    schema.$ref = reference.$ref;
    return;
  }
  if (schema.type === 'array' && schema.items) {
    preciseTypes(schema.items, name && /Ids$/.test(name) ? name.slice(0, -1) : undefined);
  }
  for (const [property, value] of Object.entries<Json>(schema.properties ?? {}))
    preciseTypes(value, property);
  for (const part of [...(schema.allOf ?? []), ...(schema.oneOf ?? []), ...(schema.anyOf ?? [])])
    preciseTypes(part);
}

/** Ids another system chose (SCIM's `externalId`, the identity provider's): any string. */
const OTHER_SYSTEMS_IDS = ['externalId'];

const PATH_PARAMETERS: Record<string, string> = {
  orgId: "The organization's id.",
  userId: "The user's id.",
  groupId: "The group's id.",
  tagId: "The tag's id.",
  datasetId: "The dataset's id.",
  notificationId: "The notification's id.",
  keyId: "The API key's id.",
  deliveryId: "The webhook delivery's id.",
  domain: 'The email domain, as attached (`acme.com`).',
};

const SINGULAR: Record<string, string> = {
  projects: 'project',
  datasets: 'dataset',
  ontologies: 'ontology',
  'service-accounts': 'service account',
  webhooks: 'webhook endpoint',
};

/**
 * Path parameters are described by their name (`id` by the collection it sits in), and array query
 * parameters say how they are sent: one comma-separated value.
 */
function describeParameters(path: string, operation: Json): void {
  for (const parameter of (operation.parameters ?? []) as Json[]) {
    if (parameter.in === 'path' && !parameter.description) {
      const segments = path.split('/');
      const collection = segments[segments.indexOf(`{${parameter.name}}`) - 1];
      parameter.description =
        parameter.name === 'id'
          ? `The ${SINGULAR[collection] ?? 'resource'}'s id.`
          : PATH_PARAMETERS[parameter.name];
    }
    if (parameter.in === 'query' && parameter.schema?.type === 'array') {
      parameter.style = 'form';
      parameter.explode = false;
    }
  }
}

/**
 * The route's doc comment is the operation's description; its summary is its name read as words
 * (`listOrganizationMembers`: "List organization members"), short enough for a menu.
 */
function describeOperation(operation: Json): void {
  operation.description ??= operation.summary;
  const words = String(operation.operationId)
    .replace(/([A-Z])/g, ' $1')
    .toLowerCase();
  operation.summary = words[0].toUpperCase() + words.slice(1);
}

/** Completes the generated document into the published contract (see docs/decisions.md, contract). */
export function completeContract(generated: OpenAPIObject): OpenAPIObject {
  const document = generated;
  document.components!.schemas![PROBLEM_SCHEMA] = PROBLEM_SCHEMA_OBJECT;
  document.components!.schemas![OAUTH_ERROR_SCHEMA] = OAUTH_ERROR_SCHEMA_OBJECT;
  for (const schema of Object.values(document.components!.schemas!)) preciseTypes(schema as Json);
  for (const [path, item] of Object.entries(document.paths) as [string, Json][]) {
    for (const method of METHODS) {
      const operation = item[method] as Json | undefined;
      if (!operation) continue;
      describeOperation(operation);
      describeParameters(path, operation);
      // Public routes say so: an SDK must not attach a token to them.
      if (!operation.security) operation.security = [];
      for (const parameter of operation.parameters ?? []) preciseTypes(parameter.schema, parameter.name);
      for (const content of Object.values<Json>(operation.requestBody?.content ?? {}))
        preciseTypes(content.schema);
      useProblemMediaType(operation);
      addCommonProblems(operation);
    }
  }
  return document;
}

/**
 * A route speaking another protocol's error format (SCIM's errors, RFC 7644 §3.12) declares it with
 * `@ApiExtension('x-error-format', { mediaType, schema })`: once every other step has documented its
 * errors, they are rewritten in that shape, codes and statuses unchanged. 412, 413 and 415 stay
 * problem details, and a 400 may be either: Fastify's hooks answer those before the route's own error
 * handling is reached.
 */
export function useDeclaredErrorFormats(document: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(document.paths) as Json[]) {
    for (const method of METHODS) {
      const operation = item[method] as Json | undefined;
      const foreign = operation?.[FOREIGN_ERRORS] as ForeignErrors | undefined;
      if (!operation || !foreign) continue;
      delete operation[FOREIGN_ERRORS];
      for (const [status, response] of Object.entries<Json>(operation.responses)) {
        if (Number(status) < 400 || ANSWERED_BEFORE_THE_ROUTE.includes(status) || !response.content) continue;
        const codes = problemCodes(response) ?? [];
        // Input refused by the guards that run before any route (bad JSON, text PostgreSQL cannot store) stays problem details.
        const beforeTheRoute = status === '400' ? { [PROBLEM_MEDIA_TYPE]: response.content[PROBLEM_MEDIA_TYPE] } : {};
        response.content = {
          ...beforeTheRoute,
          [foreign.mediaType]: {
            schema: {
              allOf: [
                { $ref: foreign.schema },
                { type: 'object', properties: { code: { type: 'string', enum: [...codes].sort() } } },
              ],
            },
          },
        };
      }
    }
  }
  return document;
}

const FOREIGN_ERRORS = 'x-error-format';
const ANSWERED_BEFORE_THE_ROUTE = ['412', '413', '415'];

interface ForeignErrors {
  mediaType: string;
  schema: string;
}
