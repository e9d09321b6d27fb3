import type { OpenAPIObject } from '@nestjs/swagger';

type SchemaObject = NonNullable<NonNullable<OpenAPIObject['components']>['schemas']>[string];

/** The name of the shared error schema in the OpenAPI document. */
export const PROBLEM_SCHEMA = 'Problem';

export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

/**
 * RFC 9457 problem details as the problem-details filter writes them, with the extra members some
 * codes carry. Each response narrows `code` to the codes its operation can answer (`@ApiProblems`).
 */
export const PROBLEM_SCHEMA_OBJECT: SchemaObject = {
  type: 'object',
  description:
    'An error, as RFC 9457 problem details. `code` is stable and is what clients branch on; `detail` is for people.',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: {
      type: 'string',
      description: 'Always `about:blank`: `code` identifies the problem.',
      example: 'about:blank',
    },
    title: { type: 'string', description: "The HTTP status's reason phrase.", example: 'Conflict' },
    status: { type: 'integer', description: 'The HTTP status.', minimum: 400, maximum: 599, example: 409 },
    detail: {
      type: 'string',
      description: 'What went wrong, for people.',
      example: 'The last admin cannot be removed or demoted: make someone else an admin first',
    },
    code: { type: 'string', description: 'The stable machine-readable code.', example: 'LAST_ADMIN' },
    instance: {
      type: 'string',
      description: 'The request path and query.',
      example: '/organizations/0b6e.../members/5f1c...',
    },
    errors: {
      type: 'array',
      description:
        '`VALIDATION_FAILED`: each refused input, by its path (`structure.labels.1`, `q`, `cursor`).',
      items: {
        type: 'object',
        required: ['path', 'message'],
        properties: {
          path: { type: 'string', description: 'The refused field, query parameter or path parameter.' },
          message: { type: 'string', description: 'Why it was refused.' },
        },
      },
    },
    retryAfter: {
      type: 'integer',
      description:
        '`RATE_LIMITED`, `SERVICE_UNAVAILABLE`: seconds to wait before retrying (also in `Retry-After`).',
      minimum: 0,
    },
    soleAdminOf: {
      type: 'array',
      description: '`REPLACEMENT_REQUIRED`: the resources the user is the only admin of.',
      items: {
        type: 'object',
        required: ['resourceType', 'id', 'title'],
        properties: {
          resourceType: {
            type: 'string',
            enum: ['project', 'dataset', 'ontology'],
            description: 'The resource kind.',
          },
          id: { type: 'string', format: 'uuid', description: 'The resource id.' },
          title: { type: 'string', description: 'The resource title.' },
        },
      },
    },
    projectCount: {
      type: 'integer',
      minimum: 0,
      description: '`TAG_IN_USE`: the projects that carry the tag.',
    },
    quota: {
      type: 'string',
      enum: ['projects', 'datasets', 'ontologies', 'groups', 'tags'],
      description: '`QUOTA_EXCEEDED`: the quota reached.',
    },
    limit: { type: 'integer', minimum: 0, description: '`QUOTA_EXCEEDED`: its value for this organization.' },
    userIds: {
      type: 'array',
      description: '`NOT_ORG_USER`: the users named who are not admins, members or workforce users here.',
      items: { type: 'string', format: 'uuid' },
    },
    workforceMembershipCount: {
      type: 'integer',
      minimum: 0,
      description: '`WORKFORCE_IN_USE`: the workforce memberships elsewhere that depend on the flag.',
    },
    requestId: { type: 'string', description: '`INTERNAL_ERROR`: the id of the request in the logs.' },
  },
};
