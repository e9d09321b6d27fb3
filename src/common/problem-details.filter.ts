import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { DriverException, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DatabaseError } from 'pg';
import { AppError, CommonErrorCode, commonCodeOfStatus, CommonErrors } from './app-error';
import { constraintError } from './constraint-errors';
import { OAuthError, sendOAuthError, speaksOAuth } from './oauth-errors';
import { asServiceUnavailable } from './service-unavailable';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** A framework error's code: the common one of its status, else the generic one of its class. */
function genericCode(status: number): CommonErrorCode {
  return (
    commonCodeOfStatus(status) ??
    (status < 500 ? CommonErrorCode.VALIDATION_FAILED : CommonErrorCode.INTERNAL_ERROR)
  );
}

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message?: string;
}

/**
 * Every error leaves as RFC 9457 problem details with a stable `code` (but the OAuth token
 * endpoint's 400 and 401, which RFC 6749 shapes: see oauth-errors.ts). Anything unexpected is a
 * generic 500 that carries the request id, so the log line can be found, and nothing internal.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    if (exception instanceof OAuthError) return sendOAuthError(reply, exception);
    const error = this.toAppError(exception, request);
    // The OAuth token endpoint's malformed requests are RFC 6749's `invalid_request`, not problem details.
    if (error.status === 400 && speaksOAuth(request)) {
      return sendOAuthError(reply, new OAuthError('invalid_request', error.detail));
    }
    if (error.status >= 500) {
      this.logger.error({ requestId: request.id, err: exception }, 'unhandled error');
    }
    if (typeof error.extra.retryAfter === 'number') {
      void reply.header('Retry-After', String(error.extra.retryAfter));
    }
    void reply
      .status(error.status)
      .header('Content-Type', 'application/problem+json')
      .send({
        type: `about:blank`,
        title: TITLES[error.status] ?? 'Error',
        status: error.status,
        detail: error.detail,
        code: error.code,
        ...error.extra,
        instance: request.url,
      });
  }

  protected toAppError(exception: unknown, request: FastifyRequest): AppError {
    if (exception instanceof AppError) return exception;
    const unavailable = asServiceUnavailable(exception);
    if (unavailable) return unavailable;
    if (
      exception instanceof UniqueConstraintViolationException ||
      exception instanceof DriverException ||
      exception instanceof DatabaseError
    ) {
      const mapped = constraintError(exception);
      if (mapped) return mapped;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const message =
        typeof response === 'object' && response && 'message' in response
          ? [response.message].flat().join('; ')
          : exception.message;
      return new AppError(genericCode(status), String(message));
    }
    const fastifyError = exception as FastifyLikeError;
    if (typeof fastifyError?.statusCode === 'number' && fastifyError.statusCode < 500) {
      const status = fastifyError.statusCode;
      const detail =
        fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? 'The request body is larger than 1 MB'
          : (fastifyError.message ?? 'Bad request');
      return new AppError(genericCode(status), detail);
    }
    return CommonErrors.internal(String(request.id));
  }
}
