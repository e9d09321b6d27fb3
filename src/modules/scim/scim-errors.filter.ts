import { ArgumentsHost, Catch, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProblemDetailsFilter } from '../../common/problem-details.filter';
import { SCIM_SCHEMAS } from './scim-resources';
import { SCIM_TYPES } from './scim.errors';

export const SCIM_MEDIA_TYPE = 'application/scim+json';

interface SoleAdminResource {
  resourceType: string;
  title: string;
}

/**
 * SCIM clients read RFC 7644 §3.12 errors, not problem details: the same errors (every feature's
 * codes, the same statuses) in SCIM's shape, with `scimType` where SCIM has one, and our `code` kept.
 */
@Catch()
export class ScimErrorsFilter extends ProblemDetailsFilter {
  private readonly scimLogger = new Logger('Errors');

  override catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const error = this.toAppError(exception, request);
    if (error.status >= 500) this.scimLogger.error({ requestId: request.id, err: exception }, 'unhandled error');
    if (typeof error.extra.retryAfter === 'number') void reply.header('Retry-After', String(error.extra.retryAfter));
    const soleAdminOf = error.extra.soleAdminOf as SoleAdminResource[] | undefined;
    // A provider shows `detail` to the person who deprovisioned: it names what blocks the removal.
    const detail = soleAdminOf?.length
      ? `${error.detail}: ${soleAdminOf.map((r) => `${r.resourceType} "${r.title}"`).join(', ')}`
      : error.detail;
    void reply
      .status(error.status)
      .header('Content-Type', SCIM_MEDIA_TYPE)
      .send({
        schemas: [SCIM_SCHEMAS.error],
        status: String(error.status),
        ...(SCIM_TYPES[error.code] ? { scimType: SCIM_TYPES[error.code] } : {}),
        detail,
        code: error.code,
        ...error.extra,
      });
  }
}
