import { AppError } from '../../common/app-error';
import type { Quota } from './quotas.service';

export const QuotaErrors = {
  exceeded: (quota: Quota, limit: number) =>
    new AppError(
      409,
      'QUOTA_EXCEEDED',
      `The organization has reached its limit of ${limit} ${quota}: delete some, or ask the operator for a higher quota`,
      { quota, limit },
    ),
};
