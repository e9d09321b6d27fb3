import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from './app-error';

/** A strong validator: the representation's own hash, so any change to what a client sees changes it. */
export const etagOf = (body: string): string =>
  `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;

const matches = (header: string, etag: string) =>
  header.trim() === '*' || header.split(',').some((candidate) => candidate.trim() === etag);

export const preconditionFailed = () =>
  new AppError(
    412,
    'PRECONDITION_FAILED',
    'The resource changed since the version named in If-Match: read it again, then retry the change',
  );

/**
 * ETag on every JSON read (a GET answered 200; single resources are what If-Match is for) and If-None-Match → 304;
 * If-Match on PATCH and DELETE: the resource is read as the caller would read it (same URL, same
 * credentials) and a change to any other version is 412 PRECONDITION_FAILED, before the change runs.
 * Without If-Match a write behaves as before.
 */
export function registerEtags(fastify: FastifyInstance): void {
  fastify.addHook('onSend', async (request, reply, payload) => {
    if (request.method !== 'GET' || reply.statusCode !== 200 || typeof payload !== 'string') return payload;
    if (!String(reply.getHeader('content-type') ?? '').includes('json')) return payload;
    const etag = etagOf(payload);
    void reply.header('ETag', etag);
    const ifNoneMatch = request.headers['if-none-match'];
    if (typeof ifNoneMatch === 'string' && matches(ifNoneMatch, etag)) {
      void reply.code(304);
      return '';
    }
    return payload;
  });
  fastify.addHook('preHandler', async (request) => checkIfMatch(fastify, request));
}

/**
 * Before a PATCH or DELETE runs: 412 when If-Match names another version. A caller who may not read
 * the resource (401, 403, 404) gets the route's own answer, so If-Match reveals nothing; a path with
 * no readable representation cannot match any version, so If-Match there is 412 (RFC 9110 13.1.1).
 */
async function checkIfMatch(fastify: FastifyInstance, request: FastifyRequest): Promise<void> {
  const ifMatch = request.headers['if-match'];
  if ((request.method !== 'PATCH' && request.method !== 'DELETE') || typeof ifMatch !== 'string') return;
  const current = await fastify.inject({
    method: 'GET',
    url: request.url.split('?')[0],
    headers: request.headers.authorization ? { authorization: request.headers.authorization } : {},
  });
  if ([401, 403, 404].includes(current.statusCode)) return;
  const etag = current.headers.etag;
  if (current.statusCode !== 200 || typeof etag !== 'string' || !matches(ifMatch, etag)) {
    throw preconditionFailed();
  }
}
