/**
 * A refused request with a stable machine-readable code. Each feature declares its codes in its
 * `<feature>.errors.ts`; the problem-details filter turns them into RFC 9457 answers.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
  }
}

export const CommonErrors = {
  validation: (detail: string, errors: { path: string; message: string }[] = []) =>
    new AppError(400, 'VALIDATION_FAILED', detail, { errors }),
  unauthenticated: (detail = 'Authentication required') => new AppError(401, 'UNAUTHENTICATED', detail),
  forbidden: (detail = 'You are not allowed to do this') => new AppError(403, 'FORBIDDEN', detail),
  notFound: (what = 'Resource') => new AppError(404, 'NOT_FOUND', `${what} not found`),
  rateLimited: (retryAfterSeconds: number) =>
    new AppError(429, 'RATE_LIMITED', 'Too many requests, try again later', {
      retryAfter: retryAfterSeconds,
    }),
  payloadTooLarge: () => new AppError(413, 'PAYLOAD_TOO_LARGE', 'The request body is larger than 1 MB'),
  methodNotAllowed: (allowed: string[]) =>
    new AppError(405, 'METHOD_NOT_ALLOWED', `This path takes ${allowed.join(', ')} only`),
  uriTooLong: () =>
    new AppError(414, 'URI_TOO_LONG', 'The URL, or one of its path parameters, is longer than the limit'),
  requestTimeout: () => new AppError(408, 'REQUEST_TIMEOUT', 'The request took too long to arrive'),
  headersTooLarge: () =>
    new AppError(431, 'REQUEST_HEADER_FIELDS_TOO_LARGE', 'The request headers are larger than 16 KB'),
};
