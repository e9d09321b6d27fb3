import { AppError, CommonErrorCode, declareErrorStatuses } from '../../common/app-error';

export enum ScimErrorCode {
  SCIM_INVALID_FILTER = 'SCIM_INVALID_FILTER',
  SCIM_INVALID_VALUE = 'SCIM_INVALID_VALUE',
  SCIM_INVALID_PATH = 'SCIM_INVALID_PATH',
  SCIM_UNIQUENESS = 'SCIM_UNIQUENESS',
  SCIM_KEY_REQUIRED = 'SCIM_KEY_REQUIRED',
}

declareErrorStatuses<ScimErrorCode>({
  SCIM_INVALID_FILTER: 400,
  SCIM_INVALID_VALUE: 400,
  SCIM_INVALID_PATH: 400,
  SCIM_UNIQUENESS: 409,
  SCIM_KEY_REQUIRED: 403,
});

/** RFC 7644 §3.12 `scimType` of our codes (and of the other features' codes SCIM requests can meet). */
export const SCIM_TYPES: Record<string, string> = {
  [ScimErrorCode.SCIM_INVALID_FILTER]: 'invalidFilter',
  [ScimErrorCode.SCIM_INVALID_VALUE]: 'invalidValue',
  [ScimErrorCode.SCIM_INVALID_PATH]: 'invalidPath',
  [ScimErrorCode.SCIM_UNIQUENESS]: 'uniqueness',
  [CommonErrorCode.VALIDATION_FAILED]: 'invalidValue',
  ALREADY_MEMBER: 'uniqueness',
  ALREADY_INTERNAL_ELSEWHERE: 'uniqueness',
  GROUP_NAME_TAKEN: 'uniqueness',
};

export const ScimErrors = {
  invalidFilter: (detail: string) => new AppError(ScimErrorCode.SCIM_INVALID_FILTER, detail),
  invalidValue: (detail: string) => new AppError(ScimErrorCode.SCIM_INVALID_VALUE, detail),
  invalidPath: (detail: string) => new AppError(ScimErrorCode.SCIM_INVALID_PATH, detail),
  userExists: () =>
    new AppError(ScimErrorCode.SCIM_UNIQUENESS, 'A user with this userName or externalId is already provisioned'),
  groupExists: () =>
    new AppError(ScimErrorCode.SCIM_UNIQUENESS, 'A group with this externalId is already provisioned'),
  keyRequired: () =>
    new AppError(
      ScimErrorCode.SCIM_KEY_REQUIRED,
      "SCIM is for an organization's service account: authenticate with one of its API keys",
    ),
  userNotFound: () => new AppError(CommonErrorCode.NOT_FOUND, 'User not found'),
  groupNotFound: () => new AppError(CommonErrorCode.NOT_FOUND, 'Group not found'),
};
