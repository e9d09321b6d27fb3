import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CommonErrors } from './app-error';
import { isStorableText, UNSTORABLE_TEXT_MESSAGE } from './storable-text';

/**
 * Deepest nesting of objects and arrays a request may carry (the body itself is level 1). The deepest
 * input the API takes, an ontology `structure` (32 levels of its own), fits; deeper JSON is an attack
 * on every recursive walk after the parser (validation, serialization, PostgreSQL's jsonb input).
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Longest request target, in characters (the limit of common proxies). Longer ones up to Node's
 * 16 KB header limit are a 414 here; beyond it Node refuses them (431, see fastify-errors.ts).
 */
export const MAX_URL_LENGTH = 8192;

/** At most this many problems are named in one answer. */
const MAX_REPORTED = 20;

type Problem = { path: string; message: string };

/**
 * Walks every value a client sent (path parameters, query, body) without recursion, so that no
 * input can exhaust the stack: strings and field names must be storable text, nesting at most
 * MAX_JSON_DEPTH. Paths are named as the validation pipe names them (`structure.labels.1`).
 */
function inputProblems(sources: unknown[]): Problem[] {
  const problems: Problem[] = [];
  const pending: { value: unknown; path: string; depth: number }[] = sources.map((value) => ({
    value,
    path: '',
    depth: 0,
  }));
  while (pending.length > 0 && problems.length < MAX_REPORTED) {
    const { value, path, depth } = pending.pop()!;
    if (typeof value === 'string') {
      if (!isStorableText(value))
        problems.push({ path, message: `${path || 'value'} ${UNSTORABLE_TEXT_MESSAGE}` });
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth + 1 > MAX_JSON_DEPTH) {
      problems.push({ path, message: `${path || 'body'} is nested deeper than ${MAX_JSON_DEPTH} levels` });
      continue;
    }
    for (const [key, child] of Object.entries(value)) {
      const childPath = path ? `${path}.${key}` : key;
      if (!isStorableText(key))
        problems.push({ path: childPath, message: `field names ${UNSTORABLE_TEXT_MESSAGE}` });
      else pending.push({ value: child, path: childPath, depth: depth + 1 });
    }
  }
  return problems;
}

/** Route patterns by method, to tell a wrong method on a known path (405) from an unknown path (404). */
class KnownRoutes {
  private readonly routes: { method: string; pattern: RegExp }[] = [];

  add(methods: string | string[], url: string): void {
    const pattern = new RegExp(
      `^${url
        .split(/(:\w+|\*)/)
        .map((part) =>
          part === '*' ? '.*' : part.startsWith(':') ? '[^/]+' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'),
        )
        .join('')}$`,
    );
    for (const method of [methods].flat()) this.routes.push({ method, pattern });
  }

  methodsOf(path: string): string[] {
    const methods = this.routes.filter((route) => route.pattern.test(path)).map((route) => route.method);
    return [...new Set(methods)].sort();
  }
}

const pathOf = (request: FastifyRequest) => request.url.split('?')[0];

/**
 * Hostile input is refused before any guard or handler runs (so before any SQL): over-long URLs
 * (414), wrong methods (405 with `Allow`), text PostgreSQL cannot store and over-deep JSON (400).
 * Register before the application's routes, so that every route is known and guarded.
 */
export function registerInputGuards(fastify: FastifyInstance): void {
  // The API speaks JSON: a text/plain body is an unsupported media type (415), not a string to validate.
  fastify.removeContentTypeParser('text/plain');
  const routes = new KnownRoutes();
  fastify.addHook('onRoute', (route) => routes.add(route.method, route.url));
  // Callback hooks, not async ones: these do no async work, and an async hook costs every request a
  // promise and a microtask (docs/decisions.md).
  fastify.addHook('onRequest', (request, reply, done) => {
    if (request.url.length > MAX_URL_LENGTH) return done(CommonErrors.uriTooLong());
    if (!request.is404) return done();
    const allowed = routes.methodsOf(pathOf(request));
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      void reply.header('Allow', allowed.join(', '));
      return done(CommonErrors.methodNotAllowed(allowed));
    }
    done();
  });
  fastify.addHook('preValidation', (request, _reply, done) => {
    const problems = inputProblems([request.params, request.query, request.body]);
    if (problems.length > 0)
      return done(CommonErrors.validation(problems.map((p) => p.message).join('; '), problems));
    done();
  });
}
