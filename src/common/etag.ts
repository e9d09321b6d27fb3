import { createHash } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, CommonErrorCode } from './app-error';

/** A strong validator: the representation's own hash, so any change to what a client sees changes it. */
export const etagOf = (body: string): string =>
  `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;

const matches = (header: string, etag: string) =>
  header.trim() === '*' || header.split(',').some((candidate) => candidate.trim() === etag);

export const preconditionFailed = () =>
  new AppError(
    CommonErrorCode.PRECONDITION_FAILED,
    'The resource changed since the version named in If-Match: read it again, then retry the change',
  );

/**
 * ETag on every JSON read (a GET answered 200; single resources are what If-Match is for) and
 * If-None-Match → 304; If-Match on PATCH and DELETE: the resource is read as the caller would read it
 * (same URL, same credentials) and a change to any other version is 412 PRECONDITION_FAILED, before
 * the change runs. Without If-Match a write behaves as before.
 *
 * Conditional writes to one URL hold a PostgreSQL advisory lock from the check to the answer, so two
 * of them (on any instance) cannot both pass the check before either writes. One that finds the lock
 * taken is 412 at once rather than waiting: another change to that resource is being made, so the
 * version it names is about to be stale, and a waiter would hold a pooled connection.
 */
export function registerEtags(fastify: FastifyInstance, orm: () => MikroORM): void {
  const locks = new WeakMap<FastifyRequest, () => Promise<void>>();
  // Callback hooks: every request runs them and only a conditional write waits for anything, while
  // an async hook costs every request a promise and a microtask (docs/decisions.md).
  fastify.addHook('onSend', (request, reply, payload, done) => {
    done(null, withEtag(request, reply, payload));
  });
  const lockAndCheck = async (request: FastifyRequest) => {
    const release = await lockWrites(orm(), `if-match ${request.url.split('?')[0]}`);
    if (!release) throw preconditionFailed();
    locks.set(request, release);
    await checkIfMatch(fastify, request);
  };
  fastify.addHook('preHandler', (request, _reply, done) => {
    if (!isConditionalWrite(request)) return done();
    lockAndCheck(request).then(() => done(), done);
  });
  const unlock = (request: FastifyRequest) => {
    const release = locks.get(request);
    locks.delete(request);
    return release?.();
  };
  fastify.addHook('onResponse', (request, _reply, done) => {
    const unlocked = unlock(request);
    if (!unlocked) return done();
    unlocked.then(() => done(), done);
  });
  fastify.addHook('onRequestAbort', async (request) => {
    await unlock(request);
  });
}

/** The payload to send, once the ETag is set (and a 304 answered). */
function withEtag(request: FastifyRequest, reply: FastifyReply, payload: unknown): unknown {
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
}

const isConditionalWrite = (request: FastifyRequest) =>
  (request.method === 'PATCH' || request.method === 'DELETE') &&
  typeof request.headers['if-match'] === 'string';

/** A session advisory lock on a connection of its own, or undefined when another request holds it. */
async function lockWrites(orm: MikroORM, key: string): Promise<(() => Promise<void>) | undefined> {
  const client = orm.em.getConnection().getKnex().client;
  const connection = (await client.acquireConnection()) as {
    query: (text: string, values: unknown[]) => Promise<{ rows: { locked: boolean }[] }>;
  };
  try {
    const { rows } = await connection.query(
      `select pg_try_advisory_lock(hashtextextended($1, 0)) as locked`,
      [key],
    );
    if (!rows[0].locked) {
      client.releaseConnection(connection);
      return undefined;
    }
  } catch (error) {
    client.releaseConnection(connection);
    throw error;
  }
  return async () => {
    try {
      await connection.query(`select pg_advisory_unlock(hashtextextended($1, 0)) as locked`, [key]);
    } finally {
      client.releaseConnection(connection);
    }
  };
}

/**
 * Before a PATCH or DELETE runs: 412 when If-Match names another version. A caller who may not read
 * the resource (401, 403, 404) gets the route's own answer, so If-Match reveals nothing; a path with
 * no readable representation cannot match any version, so If-Match there is 412 (RFC 9110 13.1.1).
 */
async function checkIfMatch(fastify: FastifyInstance, request: FastifyRequest): Promise<void> {
  const ifMatch = request.headers['if-match'] as string;
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
