import { AppError } from '../common/app-error';

export const PolicyErrors = {
  joinRequired: () =>
    new AppError(403, 'JOIN_REQUIRED', 'Join this resource as its admin before opening it (POST .../join)'),
};
