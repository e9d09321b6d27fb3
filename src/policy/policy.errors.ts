import { AppError, declareErrorStatuses } from '../common/app-error';

export enum PolicyErrorCode {
  JOIN_REQUIRED = 'JOIN_REQUIRED',
}

declareErrorStatuses<PolicyErrorCode>({ JOIN_REQUIRED: 403 });

export const PolicyErrors = {
  joinRequired: () =>
    new AppError(
      PolicyErrorCode.JOIN_REQUIRED,
      'Join this resource as its admin before opening it (POST .../join)',
    ),
};
