import { applyDecorators, Header, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';

export const ANSWERS_SECRET = 'answersSecret';
/** The document's mark of such a route, read by the HTTP conventions (`http-conventions.openapi.ts`). */
export const ANSWERS_SECRET_EXTENSION = 'x-answers-secret';

/**
 * A route whose answer carries a secret shown once (an API key): no cache may keep the answer, and
 * the idempotency store does not keep it either (it would hold the secret in clear for 24 hours), so
 * `Idempotency-Key` is not taken there: a retry makes another secret.
 */
export const AnswersSecret = () =>
  applyDecorators(
    SetMetadata(ANSWERS_SECRET, true),
    Header('Cache-Control', 'no-store'),
    ApiExtension(ANSWERS_SECRET_EXTENSION, true),
  );
