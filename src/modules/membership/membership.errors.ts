import { AppError, CommonErrorCode, declareErrorStatuses } from '../../common/app-error';
import { declareConstraintErrors, declareRaisedErrors } from '../../common/constraint-errors';

export enum MembershipErrorCode {
  ALREADY_MEMBER = 'ALREADY_MEMBER',
  ALREADY_INTERNAL_ELSEWHERE = 'ALREADY_INTERNAL_ELSEWHERE',
  NOT_WORKFORCE_ELIGIBLE = 'NOT_WORKFORCE_ELIGIBLE',
  NOT_INTERNAL = 'NOT_INTERNAL',
  LAST_ADMIN = 'LAST_ADMIN',
  ADMIN_NOT_REMOVABLE = 'ADMIN_NOT_REMOVABLE',
  REPLACEMENT_REQUIRED = 'REPLACEMENT_REQUIRED',
  INVALID_REPLACEMENT = 'INVALID_REPLACEMENT',
  NOT_ORG_MEMBER = 'NOT_ORG_MEMBER',
  DOMAIN_OF_OTHER_ORGANIZATION = 'DOMAIN_OF_OTHER_ORGANIZATION',
  SERVICE_ACCOUNT_OUTSIDE_ORGANIZATION = 'SERVICE_ACCOUNT_OUTSIDE_ORGANIZATION',
  SERVICE_ACCOUNT_MEMBERSHIP = 'SERVICE_ACCOUNT_MEMBERSHIP',
  INTERNAL_NEVER_EXPIRES = 'INTERNAL_NEVER_EXPIRES',
}

declareErrorStatuses<MembershipErrorCode>({
  ALREADY_MEMBER: 409,
  ALREADY_INTERNAL_ELSEWHERE: 409,
  NOT_WORKFORCE_ELIGIBLE: 422,
  NOT_INTERNAL: 422,
  LAST_ADMIN: 409,
  ADMIN_NOT_REMOVABLE: 409,
  REPLACEMENT_REQUIRED: 409,
  INVALID_REPLACEMENT: 422,
  NOT_ORG_MEMBER: 409,
  DOMAIN_OF_OTHER_ORGANIZATION: 409,
  SERVICE_ACCOUNT_OUTSIDE_ORGANIZATION: 422,
  SERVICE_ACCOUNT_MEMBERSHIP: 409,
  INTERNAL_NEVER_EXPIRES: 422,
});

export const MembershipErrors = {
  internalNeverExpires: () =>
    new AppError(
      MembershipErrorCode.INTERNAL_NEVER_EXPIRES,
      'Only workforce and external users can have an expiry; admins and members never expire',
    ),
  alreadyMember: () =>
    new AppError(MembershipErrorCode.ALREADY_MEMBER, 'This user is already in the organization'),
  alreadyInternalElsewhere: (email?: string) =>
    new AppError(
      MembershipErrorCode.ALREADY_INTERNAL_ELSEWHERE,
      `${email ?? 'This user'} is already an internal user (admin or member) of another organization`,
    ),
  notWorkforceEligible: () =>
    new AppError(
      MembershipErrorCode.NOT_WORKFORCE_ELIGIBLE,
      'Only users who are internal in a workforce organization can be workforce users',
    ),
  notInternal: () =>
    new AppError(
      MembershipErrorCode.NOT_INTERNAL,
      'Only internal users (members) can become admins; add them as a member first',
    ),
  /** Organizations and resources alike: the database's triggers raise it for both. */
  lastAdmin: () =>
    new AppError(
      MembershipErrorCode.LAST_ADMIN,
      'The last admin cannot be removed or demoted: make someone else an admin first',
    ),
  adminNotRemovable: () =>
    new AppError(
      MembershipErrorCode.ADMIN_NOT_REMOVABLE,
      'Admins cannot be removed; demote them to member first',
    ),
  replacementRequired: (soleAdminOf: unknown[]) =>
    new AppError(
      MembershipErrorCode.REPLACEMENT_REQUIRED,
      'This user is the only admin of some resources; name a replacement',
      { soleAdminOf },
    ),
  invalidReplacement: () =>
    new AppError(
      MembershipErrorCode.INVALID_REPLACEMENT,
      'The replacement must be another internal user of the organization',
    ),
  notOrgMember: () =>
    new AppError(
      MembershipErrorCode.NOT_ORG_MEMBER,
      'This user was removed from the organization while the request ran; nothing was granted',
    ),
  domainOfOtherOrganization: (email: string) =>
    new AppError(
      MembershipErrorCode.DOMAIN_OF_OTHER_ORGANIZATION,
      `The domain of ${email} belongs to another organization: its people can be admins or members there only (they can still be invited to resources here)`,
    ),
  /** Held by the database (trigger *_service_account_home): a service account works in its organization only. */
  serviceAccountOutsideOrganization: () =>
    new AppError(
      MembershipErrorCode.SERVICE_ACCOUNT_OUTSIDE_ORGANIZATION,
      'A service account works only in its own organization: it cannot be given a place or a right elsewhere',
    ),
  serviceAccountMembership: () =>
    new AppError(
      MembershipErrorCode.SERVICE_ACCOUNT_MEMBERSHIP,
      'A service account leaves its organization only by being deleted (DELETE /organizations/{orgId}/service-accounts/{id})',
    ),
  memberNotFound: () => new AppError(CommonErrorCode.NOT_FOUND, 'Member not found'),
};

declareConstraintErrors({
  memberships_org_user_unique: MembershipErrors.alreadyMember,
  memberships_one_internal_org: () => MembershipErrors.alreadyInternalElsewhere(),
  // Rights need a membership (the *_need_membership triggers): the user was removed meanwhile.
  collaborators_need_membership: MembershipErrors.notOrgMember,
  notification_recipients_need_membership: MembershipErrors.notOrgMember,
  service_account_home: MembershipErrors.serviceAccountOutsideOrganization,
  service_account_membership_kept: MembershipErrors.serviceAccountMembership,
});
declareRaisedErrors({ LAST_ADMIN: MembershipErrors.lastAdmin });
