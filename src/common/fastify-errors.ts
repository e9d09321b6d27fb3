import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, CommonErrors } from './app-error';

/**
 * Longest path parameter, in characters as sent: a domain (at most 253) with room for
 * percent-encoding. Longer ones are a 414, as Fastify decides.
 */
export const MAX_PARAM_LENGTH = 512;

/** What Fastify answers on its own, before any route, in the problem details every other error uses. */
const FRAMEWORK_ERRORS: Record<string, () => AppError> = {
  FST_ERR_BAD_URL: () => CommonErrors.validation('The URL is not validly percent-encoded'),
  FST_ERR_MAX_PARAM_LENGTH: () => CommonErrors.uriTooLong(),
};

/**
 * These errors never reach the application's error handler (Fastify raises them before a route is
 * chosen, or Node before there is a request), so they are written here, in the shape the
 * problem-details filter gives every other error.
 */
const problemOf = (error: AppError, instance?: string) => ({
  type: 'about:blank',
  title: STATUS_CODES[error.status] ?? 'Error',
  status: error.status,
  detail: error.detail,
  code: error.code,
  ...error.extra,
  ...(instance === undefined ? {} : { instance }),
});

/**
 * Errors Node's HTTP parser raises before there is a request (headers too large, a malformed
 * request line): written to the socket as problem details, then the connection is closed.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const problem = problemOf(
    error.code === 'HPE_HEADER_OVERFLOW'
      ? CommonErrors.headersTooLarge()
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? CommonErrors.requestTimeout()
        : CommonErrors.validation('The request is not valid HTTP'),
  );
  const body = JSON.stringify(problem);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${problem.status} ${problem.title}\r\nContent-Type: application/problem+json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/** Fastify options that make its own refusals problem details with a stable `code`. */
export const FASTIFY_ERROR_OPTIONS = {
  routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
  frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const problem = FRAMEWORK_ERRORS[error.code]?.() ?? CommonErrors.validation(error.message);
    void reply.status(problem.status).type('application/problem+json').send(problemOf(problem, request.url));
  },
  clientErrorHandler: answerClientError,
};
