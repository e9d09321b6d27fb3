import { AppError, declareErrorStatuses } from '../../common/app-error';
import { declareRaisedErrors } from '../../common/constraint-errors';
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

/** The commit-time trigger's refusal (see the quota_usage migration): `QUOTA_EXCEEDED: <quota> <limit> ...`. */
declareRaisedErrors({
  QUOTA_EXCEEDED: (message) => {
    const [, quota, limit] = /QUOTA_EXCEEDED: (\w+) (\d+)/.exec(message) ?? [];
    return QuotaErrors.exceeded(quota as Quota, Number(limit));
  },
});
