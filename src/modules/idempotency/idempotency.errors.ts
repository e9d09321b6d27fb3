import { AppError, CommonErrors, declareErrorStatuses } from '../../common/app-error';

export enum IdempotencyErrorCode {
  IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED',
  IDEMPOTENCY_KEY_IN_PROGRESS = 'IDEMPOTENCY_KEY_IN_PROGRESS',
}

declareErrorStatuses<IdempotencyErrorCode>({ IDEMPOTENCY_KEY_REUSED: 422, IDEMPOTENCY_KEY_IN_PROGRESS: 409 });

export const IdempotencyErrors = {
  invalidKey: () =>
    CommonErrors.validation('Idempotency-Key must be 1 to 255 visible ASCII characters', [
      { path: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' },
    ]),
  reused: () =>
    new AppError(
      IdempotencyErrorCode.IDEMPOTENCY_KEY_REUSED,
      'This Idempotency-Key was used with another request (route or body): use a new key for a new request',
    ),
  inProgress: () =>
    new AppError(
      IdempotencyErrorCode.IDEMPOTENCY_KEY_IN_PROGRESS,
      'A request with this Idempotency-Key is still being processed: retry once it has been answered',
      { retryAfter: 1 },
    ),
};
