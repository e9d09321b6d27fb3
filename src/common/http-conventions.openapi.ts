import type { OpenAPIObject } from '@nestjs/swagger';
import { ANSWERS_SECRET_EXTENSION } from './answers-secret.decorator';
import { CommonErrorCode } from './app-error';
import { addProblems } from './openapi-contract';

type OperationObject = NonNullable<OpenAPIObject['paths'][string]['get']>;
type ParameterObject = Exclude<NonNullable<OperationObject['parameters']>[number], { $ref: string }>;
type ResponseObject = Exclude<NonNullable<OperationObject['responses'][string]>, { $ref: string }>;

const IDEMPOTENCY_KEY: ParameterObject = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Makes a retry safe: the same key with the same body within 24 hours answers the first answer again ' +
    '(with `Idempotent-Replayed: true`) instead of running twice. 1 to 255 visible ASCII characters, unique per caller.',
  schema: { type: 'string', minLength: 1, maxLength: 255 },
};

const IF_NONE_MATCH: ParameterObject = {
  name: 'If-None-Match',
  in: 'header',
  required: false,
  description:
    'The `ETag` of the version the client holds: when it is still current the answer is 304, without a body.',
  schema: { type: 'string' },
};

const IF_MATCH: ParameterObject = {
  name: 'If-Match',
  in: 'header',
  required: false,
  description: 'The `ETag` of the version this change was made from; another current version is 412.',
  schema: { type: 'string' },
};

/**
 * The HTTP conventions, which one hook applies to every route (`http-conventions.ts`, `etag.ts`, the
 * idempotency guard), written into the document the same way: per method and status, not per
 * controller, so a new route is documented as it behaves.
 */
export function documentHttpConventions(document: OpenAPIObject): OpenAPIObject {
  for (const pathItem of Object.values(document.paths)) {
    for (const [method, operation] of Object.entries(pathItem) as [string, OperationObject][]) {
      if (!operation?.responses) continue;
      const authenticated = (operation.security ?? document.security ?? []).length > 0;
      const answersSecret =
        (operation as unknown as Record<string, unknown>)[ANSWERS_SECRET_EXTENSION] === true;
      if (method === 'post' && authenticated && !answersSecret) {
        addParameter(operation, IDEMPOTENCY_KEY);
        addProblems(operation, ['IDEMPOTENCY_KEY_IN_PROGRESS'], 409);
        addProblems(operation, ['IDEMPOTENCY_KEY_REUSED'], 422);
      }
      if (method === 'get' && operation.responses['200']) {
        addParameter(operation, IF_NONE_MATCH);
        operation.responses['304'] = {
          description: 'Not Modified: the version named in If-None-Match is current',
        };
      }
      if (method === 'patch' || method === 'delete') {
        addParameter(operation, IF_MATCH);
        addProblems(operation, [CommonErrorCode.PRECONDITION_FAILED], 412);
      }
      for (const [status, response] of Object.entries(operation.responses) as [string, ResponseObject][]) {
        if (method === 'get' && status === '200') {
          addHeader(response, 'ETag', 'The version of this answer, for If-Match and If-None-Match');
        }
        if (status === '201') addHeader(response, 'Location', 'The URL of what was created, when it has one');
        if (status === '401') addHeader(response, 'WWW-Authenticate', '`Bearer realm="api"`');
        if (status === '429') {
          addHeader(response, 'RateLimit-Limit', 'Requests allowed in the window');
          addHeader(response, 'RateLimit-Remaining', 'Requests left in the window');
          addHeader(response, 'RateLimit-Reset', 'Seconds until the window starts again');
        }
      }
    }
  }
  return document;
}

function addParameter(operation: OperationObject, parameter: ParameterObject): void {
  operation.parameters = [...(operation.parameters ?? []), parameter];
}

function addHeader(response: ResponseObject, name: string, description: string): void {
  // A route that declares the header itself (the token endpoint's `Basic` challenge) keeps its text.
  if (response.headers?.[name]) return;
  response.headers = { ...(response.headers ?? {}), [name]: { description, schema: { type: 'string' } } };
}
