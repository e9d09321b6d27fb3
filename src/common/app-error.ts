/**
 * Every error code, with the one HTTP status it answers. Each feature declares its codes as an enum
 * in its `<feature>.errors.ts` and registers their statuses here; `AppError` and the OpenAPI
 * document (`@ApiProblems`) both read this table, so a code cannot be documented with a status it
 * does not answer, nor raised without being declared.
 */
const STATUS_BY_CODE = new Map<string, number>();

export function declareErrorStatuses<Code extends string>(statuses: Record<Code, number>): void {
  for (const [code, status] of Object.entries<number>(statuses)) {
    const known = STATUS_BY_CODE.get(code);
    if (known !== undefined && known !== status) {
      throw new Error(`error code ${code} is declared with two statuses, ${known} and ${status}`);
    }
    STATUS_BY_CODE.set(code, status);
  }
}

/**
 * Codes the contract fixes with a second status on some routes (api.md: `INVALID_TOKEN` is 400 for a
 * mailed token, a bad form input, and 401 for a refresh token, a refused credential). Such a route
 * raises the code with that status explicitly and documents it with `ApiProblems({ code, status })`.
 */
const OTHER_STATUSES = new Map<string, Set<number>>();

export function declareErrorStatusVariant(code: string, status: number): void {
  statusOfErrorCode(code);
  OTHER_STATUSES.set(code, new Set([...(OTHER_STATUSES.get(code) ?? []), status]));
}

/** Whether the code may be answered with this status: its own, or a variant declared for it. */
export function isStatusOfErrorCode(code: string, status: number): boolean {
  return statusOfErrorCode(code) === status || (OTHER_STATUSES.get(code)?.has(status) ?? false);
}

export function statusOfErrorCode(code: string): number {
  const status = STATUS_BY_CODE.get(code);
  if (status === undefined) throw new Error(`error code ${code} is not declared (declareErrorStatuses)`);
  return status;
}

/**
 * A refused request with a stable machine-readable code. Each feature declares its codes in its
 * `<feature>.errors.ts`; the problem-details filter turns them into RFC 9457 answers.
 */
export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: string,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
    /** Only a status declared for the code with `declareErrorStatusVariant`. */
    status?: number,
  ) {
    super(detail);
    this.status = statusOfErrorCode(code);
    if (status !== undefined && status !== this.status) {
      if (!isStatusOfErrorCode(code, status)) {
        throw new Error(
          `error code ${code} is not declared with status ${status} (declareErrorStatusVariant)`,
        );
      }
      this.status = status;
    }
  }
}

/** Codes any route can answer: the HTTP layer, validation, authentication and the policy guard. */
export enum CommonErrorCode {
  VALIDATION_FAILED = 'VALIDATION_FAILED',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  METHOD_NOT_ALLOWED = 'METHOD_NOT_ALLOWED',
  REQUEST_TIMEOUT = 'REQUEST_TIMEOUT',
  PRECONDITION_FAILED = 'PRECONDITION_FAILED',
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  URI_TOO_LONG = 'URI_TOO_LONG',
  UNSUPPORTED_MEDIA_TYPE = 'UNSUPPORTED_MEDIA_TYPE',
  RATE_LIMITED = 'RATE_LIMITED',
  REQUEST_HEADER_FIELDS_TOO_LARGE = 'REQUEST_HEADER_FIELDS_TOO_LARGE',
  INTERNAL_ERROR = 'INTERNAL_ERROR',
  SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE',
}

declareErrorStatuses<CommonErrorCode>({
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  REQUEST_TIMEOUT: 408,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  URI_TOO_LONG: 414,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  REQUEST_HEADER_FIELDS_TOO_LARGE: 431,
  INTERNAL_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
});

/** The common code of an HTTP status, for errors raised by the framework rather than by our code. */
export function commonCodeOfStatus(status: number): CommonErrorCode | undefined {
  return Object.values(CommonErrorCode).find((code) => statusOfErrorCode(code) === status);
}

export const CommonErrors = {
  validation: (detail: string, errors: { path: string; message: string }[] = []) =>
    new AppError(CommonErrorCode.VALIDATION_FAILED, detail, { errors }),
  unauthenticated: (detail = 'Authentication required') =>
    new AppError(CommonErrorCode.UNAUTHENTICATED, detail),
  forbidden: (detail = 'You are not allowed to do this') => new AppError(CommonErrorCode.FORBIDDEN, detail),
  notFound: (what = 'Resource') => new AppError(CommonErrorCode.NOT_FOUND, `${what} not found`),
  rateLimited: (retryAfterSeconds: number) =>
    new AppError(CommonErrorCode.RATE_LIMITED, 'Too many requests, try again later', {
      retryAfter: retryAfterSeconds,
    }),
  payloadTooLarge: () =>
    new AppError(CommonErrorCode.PAYLOAD_TOO_LARGE, 'The request body is larger than 1 MB'),
  methodNotAllowed: (allowed: string[]) =>
    new AppError(CommonErrorCode.METHOD_NOT_ALLOWED, `This path takes ${allowed.join(', ')} only`),
  uriTooLong: () =>
    new AppError(
      CommonErrorCode.URI_TOO_LONG,
      'The URL, or one of its path parameters, is longer than the limit',
    ),
  requestTimeout: () => new AppError(CommonErrorCode.REQUEST_TIMEOUT, 'The request took too long to arrive'),
  headersTooLarge: () =>
    new AppError(
      CommonErrorCode.REQUEST_HEADER_FIELDS_TOO_LARGE,
      'The request headers are larger than 16 KB',
    ),
  internal: (requestId: string) =>
    new AppError(CommonErrorCode.INTERNAL_ERROR, `An unexpected error occurred (request id ${requestId})`, {
      requestId,
    }),
};
