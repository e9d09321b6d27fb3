import type { FastifyInstance } from 'fastify';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig } from '../config/app-config';

/** Top-level fields naming what a 201 created, in the order they are looked for. */
const CREATED_ID_FIELDS = ['id', 'userId', 'groupId'] as const;

/**
 * Headers every answer follows, set in one place rather than route by route:
 * - `Location` on a 201 that created something with its own URL: the request path and the new id
 *   (`POST /projects` → `/projects/{id}`); an answer whose id is already in the path (attaching a
 *   dataset answers the project) created no new URL and gets none.
 * - `WWW-Authenticate` on a 401 (RFC 9110 requires it; RFC 6750 names the scheme and, when a token
 *   was sent, that it was the token that failed).
 */
export function registerHttpConventions(fastify: FastifyInstance): void {
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode === 401 && !reply.hasHeader('www-authenticate')) {
      const sentToken = typeof request.headers.authorization === 'string';
      void reply.header(
        'WWW-Authenticate',
        sentToken ? 'Bearer realm="api", error="invalid_token"' : 'Bearer realm="api"',
      );
    }
    if (reply.statusCode === 201 && !reply.hasHeader('location') && typeof payload === 'string') {
      const id = createdId(payload);
      const path = request.url.split('?')[0].replace(/\/$/, '');
      if (id && !path.split('/').includes(id))
        void reply.header('Location', `${path}/${encodeURIComponent(id)}`);
    }
    done(null, payload);
  });
}

function createdId(payload: string): string | undefined {
  try {
    const body = JSON.parse(payload) as Record<string, unknown>;
    for (const field of CREATED_ID_FIELDS) {
      if (typeof body?.[field] === 'string') return body[field];
    }
  } catch {
    // not JSON: nothing to point at
  }
  return undefined;
}

/** Headers a browser client must be able to read on a cross-origin answer. */
const EXPOSED_HEADERS = [
  'ETag',
  'Location',
  'Retry-After',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'Idempotent-Replayed',
  'X-Request-Id',
];

/**
 * CORS only for the origins in CORS_ORIGINS; none by default, so browsers keep other sites' pages
 * from calling the API. Bearer tokens, not cookies: no credentials mode.
 */
export function enableCors(app: NestFastifyApplication, config: AppConfig): void {
  if (config.CORS_ORIGINS.length === 0) return;
  app.enableCors({
    origin: config.CORS_ORIGINS,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: [
      'Authorization',
      'Content-Type',
      'Idempotency-Key',
      'If-Match',
      'If-None-Match',
      'X-Request-Id',
    ],
    exposedHeaders: EXPOSED_HEADERS,
    credentials: false,
    maxAge: 600,
  });
}
