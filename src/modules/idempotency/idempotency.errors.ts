import { AppError } from '../../common/app-error';

export const IdempotencyErrors = {
  invalidKey: () =>
    new AppError(400, 'VALIDATION_FAILED', 'Idempotency-Key must be 1 to 255 visible ASCII characters', {
      errors: [{ path: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' }],
    }),
  reused: () =>
    new AppError(
      422,
      'IDEMPOTENCY_KEY_REUSED',
      'This Idempotency-Key was used with another request (route or body): use a new key for a new request',
    ),
  inProgress: () =>
    new AppError(
      409,
      'IDEMPOTENCY_KEY_IN_PROGRESS',
      'A request with this Idempotency-Key is still being processed: retry once it has been answered',
      { retryAfter: 1 },
    ),
};
