import { NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * The headers of every answer, errors included: what helmet (@fastify/helmet 13) set with our options,
 * written out once. The plugin built a helmet middleware for every request (its CSP directives parsed
 * again each time): 3% of the server's CPU on a project read (docs/decisions.md).
 * The API answers JSON only: nothing in it may load, run, frame or submit anything.
 */
const SECURITY_HEADERS: readonly [string, string][] = [
  ['Content-Security-Policy', "default-src 'none';base-uri 'none';form-action 'none';frame-ancestors 'none'"],
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['Cross-Origin-Resource-Policy', 'same-origin'],
  ['Origin-Agent-Cluster', '?1'],
  ['Referrer-Policy', 'no-referrer'],
  ['Strict-Transport-Security', 'max-age=63072000; includeSubDomains'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-DNS-Prefetch-Control', 'off'],
  ['X-Download-Options', 'noopen'],
  ['X-Frame-Options', 'DENY'],
  ['X-Permitted-Cross-Domain-Policies', 'none'],
  ['X-XSS-Protection', '0'],
];

/**
 * Swagger UI as @nestjs/swagger serves it: scripts are files under /docs (no inline script), the
 * page carries inline <style> blocks and style attributes, icons are data: URIs, "Try it out"
 * calls this origin.
 */
const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const DOCS_PATH = /^\/docs(\/|$|\?)/;

/**
 * Security headers on every answer, errors included; Swagger UI gets the policy it can run under.
 * Set on the raw response when the request arrives, as helmet did, so that every later path (errors,
 * 304, static files) answers with them and a route's own header still wins.
 */
export function registerSecurityHeaders(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (_request, reply, done) => {
    for (const [name, value] of SECURITY_HEADERS) reply.raw.setHeader(name, value);
    done();
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (DOCS_PATH.test(request.url)) void reply.header('Content-Security-Policy', DOCS_CSP);
    done(null, payload);
  });
}
