import { AppError, CommonErrorCode } from './app-error';

/** What a client is told to wait before retrying while the database is out of reach or saturated. */
export const RETRY_AFTER_SECONDS = 5;

export const serviceUnavailable = (detail = 'The service is temporarily unavailable, try again later') =>
  new AppError(CommonErrorCode.SERVICE_UNAVAILABLE, detail, { retryAfter: RETRY_AFTER_SECONDS });

/**
 * SQLSTATE classes and codes that say "the database cannot serve now", not "this request is wrong":
 * 08 connection exceptions, 53 insufficient resources (53300 too many connections), 57P01-57P03
 * shutdown and start-up, 57014 query_canceled, which the statement timeout raises, and 25006
 * read_only_sql_transaction: a write reached a server that is (still, or again) read-only, as a
 * standby being promoted is, during a failover.
 */
const SQLSTATE = /^[0-9A-Z]{5}$/;
const UNAVAILABLE_SQLSTATE = /^(08...|53...|57P0[1-3]|57014|25006)$/;

/** Socket-level failures reaching the server: refused, reset, unreachable, name not resolved. */
const UNAVAILABLE_NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * Failures that carry no code, recognised by their text (a server error is judged by its SQLSTATE only): pg's lost connections and handshake
 * timeout, knex's pool acquire timeout (MikroORM rewraps it, dropping its class name), and a pool
 * already destroyed while the service shuts down.
 */
const UNAVAILABLE_MESSAGES = [
  /Connection terminated/,
  /timeout expired/,
  /Client has encountered a connection error/,
  /Knex: Timeout acquiring a connection/,
  /Unable to acquire a connection/,
];

/** The 503 for an error that means the database is unreachable, saturated or too slow; else nothing. */
export function asServiceUnavailable(exception: unknown): AppError | undefined {
  const error = exception as { code?: unknown; message?: unknown; cause?: unknown } | undefined;
  if (!error || typeof error !== 'object') return undefined;
  const code = typeof error.code === 'string' ? error.code : '';
  const message = typeof error.message === 'string' ? error.message : '';
  const unavailable = SQLSTATE.test(code)
    ? UNAVAILABLE_SQLSTATE.test(code)
    : UNAVAILABLE_NETWORK_CODES.has(code) || UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message));
  if (unavailable) return serviceUnavailable();
  return error.cause ? asServiceUnavailable(error.cause) : undefined;
}
