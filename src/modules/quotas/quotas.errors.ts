import { AppError, declareErrorStatuses } from '../../common/app-error';
import type { Quota } from './quotas.service';

export enum QuotaErrorCode {
  QUOTA_EXCEEDED = 'QUOTA_EXCEEDED',
}

declareErrorStatuses<QuotaErrorCode>({ QUOTA_EXCEEDED: 409 });

export const QuotaErrors = {
  exceeded: (quota: Quota, limit: number) =>
    new AppError(
      QuotaErrorCode.QUOTA_EXCEEDED,
      `The organization has reached its limit of ${limit} ${quota}: delete some, or ask the operator for a higher quota`,
      { quota, limit },
    ),
};
