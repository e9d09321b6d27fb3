import { AppError, CommonErrorCode, declareErrorStatuses } from '../../common/app-error';

export enum ServiceAccountErrorCode {
  INVALID_EXPIRY = 'INVALID_EXPIRY',
  TOO_MANY_API_KEYS = 'TOO_MANY_API_KEYS',
}

declareErrorStatuses<ServiceAccountErrorCode>({ INVALID_EXPIRY: 422, TOO_MANY_API_KEYS: 409 });

/** Keys a service account may hold at once: enough to rotate, few enough to review. */
export const MAX_API_KEYS_PER_ACCOUNT = 10;

export const ServiceAccountErrors = {
  invalidExpiry: () =>
    new AppError(
      ServiceAccountErrorCode.INVALID_EXPIRY,
      'expiresAt must be in the future and before the year 10000',
    ),
  tooManyKeys: () =>
    new AppError(
      ServiceAccountErrorCode.TOO_MANY_API_KEYS,
      `A service account holds at most ${MAX_API_KEYS_PER_ACCOUNT} API keys: revoke one first`,
    ),
  serviceAccountNotFound: () => new AppError(CommonErrorCode.NOT_FOUND, 'Service account not found'),
  apiKeyNotFound: () => new AppError(CommonErrorCode.NOT_FOUND, 'API key not found'),
};
