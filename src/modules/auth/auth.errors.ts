import { AppError, declareErrorStatuses, declareErrorStatusVariant } from '../../common/app-error';
import { declareConstraintErrors } from '../../common/constraint-errors';

export enum AuthErrorCode {
  EMAIL_TAKEN = 'EMAIL_TAKEN',
  INVALID_TOKEN = 'INVALID_TOKEN',
  INVALID_CREDENTIALS = 'INVALID_CREDENTIALS',
  EMAIL_NOT_VERIFIED = 'EMAIL_NOT_VERIFIED',
}

declareErrorStatuses<AuthErrorCode>({
  EMAIL_TAKEN: 409,
  INVALID_TOKEN: 400,
  INVALID_CREDENTIALS: 401,
  EMAIL_NOT_VERIFIED: 403,
});
// api.md: a refresh token refused is 401 INVALID_TOKEN (a credential), a mailed token 400 (a form input).
declareErrorStatusVariant(AuthErrorCode.INVALID_TOKEN, 401);

const INVALID_TOKEN_TEXT = 'The token is invalid, used, replaced or expired';

export const AuthErrors = {
  emailTaken: () => new AppError(AuthErrorCode.EMAIL_TAKEN, 'An account with this email already exists'),
  invalidToken: () => new AppError(AuthErrorCode.INVALID_TOKEN, INVALID_TOKEN_TEXT),
  /** The same answer for an unknown, spent, expired or revoked refresh token. */
  invalidRefreshToken: () => new AppError(AuthErrorCode.INVALID_TOKEN, INVALID_TOKEN_TEXT, {}, 401),
  invalidCredentials: () => new AppError(AuthErrorCode.INVALID_CREDENTIALS, 'Email or password is wrong'),
  emailNotVerified: () =>
    new AppError(AuthErrorCode.EMAIL_NOT_VERIFIED, 'Verify your email before signing in'),
};

declareConstraintErrors({
  users_email_unique: AuthErrors.emailTaken,
  // A mailed link spent for a service account (whose address is never delivered): it sets nothing.
  users_service_account_no_password: AuthErrors.invalidToken,
});
