import { AppError } from '../../common/app-error';

export const AuthErrors = {
  emailTaken: () => new AppError(409, 'EMAIL_TAKEN', 'An account with this email already exists'),
  invalidToken: () => new AppError(400, 'INVALID_TOKEN', 'The token is invalid, used, replaced or expired'),
  invalidCredentials: () => new AppError(401, 'INVALID_CREDENTIALS', 'Email or password is wrong'),
  emailNotVerified: () => new AppError(403, 'EMAIL_NOT_VERIFIED', 'Verify your email before signing in'),
};
