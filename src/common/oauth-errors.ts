import { applyDecorators } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { DECORATORS } from '@nestjs/swagger';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';

type SchemaObject = NonNullable<NonNullable<OpenAPIObject['components']>['schemas']>[string];

/** RFC 6749 §5.2's error codes. */
export const OAUTH_ERROR_CODES = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
] as const;
export type OAuthErrorCode = (typeof OAUTH_ERROR_CODES)[number];

/** The name of RFC 6749's error schema in the OpenAPI document. */
export const OAUTH_ERROR_SCHEMA = 'OAuthError';
export const OAUTH_ERROR_REF = `#/components/schemas/${OAUTH_ERROR_SCHEMA}`;

export const OAUTH_ERROR_SCHEMA_OBJECT: SchemaObject = {
  type: 'object',
  description:
    'An error of the OAuth 2.0 token endpoint, as RFC 6749 §5.2 shapes it (not problem details: OAuth clients ' +
    'read `error`). 400 for every code but `invalid_client`, which is 401.',
  required: ['error', 'error_description'],
  properties: {
    error: { type: 'string', enum: [...OAUTH_ERROR_CODES], description: 'The RFC 6749 error code.' },
    error_description: {
      type: 'string',
      description: 'What went wrong, for people.',
      example: 'Email or password is wrong',
    },
  },
};

/** A refusal of an OAuth 2.0 request, answered as RFC 6749 §5.2 says rather than as problem details. */
export class OAuthError extends Error {
  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
  ) {
    super(description);
  }

  /** RFC 6749 §5.2: 401 when client authentication failed, 400 for everything else. */
  get status(): 400 | 401 {
    return this.error === 'invalid_client' ? 401 : 400;
  }
}

const ERROR_FORMAT = 'errorFormat';

/**
 * A route of the OAuth 2.0 protocol (the token endpoint): its 400 and 401 answers are RFC 6749
 * errors, whatever refused the request (the route itself, or a check that runs before it, such as
 * the input guards' 400), with `Cache-Control: no-store`. What RFC 6749 does not define (413, 415,
 * 429, 5xx) stays problem details, as on every route.
 */
export const OAuthErrorResponses = () =>
  applyDecorators(RouteConfig({ [ERROR_FORMAT]: 'oauth2' }), documentOAuthErrors);

const documentOAuthErrors: MethodDecorator = (_target, _key, descriptor) => {
  const handler = descriptor.value as object;
  const responses = (Reflect.getMetadata(DECORATORS.API_RESPONSE, handler) as Record<string, unknown>) ?? {};
  responses['400'] = {
    description:
      'RFC 6749 error: `invalid_request`, `invalid_grant`, `unsupported_grant_type`, `invalid_scope`',
    schema: { $ref: OAUTH_ERROR_REF },
  };
  responses['401'] = {
    description: 'RFC 6749 error: `invalid_client` (client authentication failed)',
    schema: { $ref: OAUTH_ERROR_REF },
    headers: {
      'WWW-Authenticate': {
        description: '`Basic realm="token", charset="UTF-8"`: how a client authenticates',
        schema: { type: 'string' },
      },
    },
  };
  Reflect.defineMetadata(DECORATORS.API_RESPONSE, responses, handler);
  return descriptor;
};

/** Whether the request's route answers its errors as RFC 6749 says. */
export function speaksOAuth(request: FastifyRequest): boolean {
  const config = request.routeOptions?.config as unknown as Record<string, unknown> | undefined;
  return config?.[ERROR_FORMAT] === 'oauth2';
}

export function sendOAuthError(reply: FastifyReply, error: OAuthError): void {
  // RFC 6749 §5.1-5.2: token endpoint answers are not cached; a 401 names the client authentication scheme.
  if (error.status === 401) void reply.header('WWW-Authenticate', 'Basic realm="token", charset="UTF-8"');
  void reply
    .status(error.status)
    .header('Content-Type', 'application/json; charset=utf-8')
    .header('Cache-Control', 'no-store')
    .header('Pragma', 'no-cache')
    .send({ error: error.error, error_description: error.description });
}
