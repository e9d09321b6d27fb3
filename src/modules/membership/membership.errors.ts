import { AppError } from '../../common/app-error';

export const MembershipErrors = {
  alreadyMember: () => new AppError(409, 'ALREADY_MEMBER', 'This user is already in the organization'),
  alreadyInternalElsewhere: (email?: string) =>
    new AppError(
      409,
      'ALREADY_INTERNAL_ELSEWHERE',
      `${email ?? 'This user'} is already an internal user (admin or member) of another organization`,
    ),
  notWorkforceEligible: () =>
    new AppError(
      422,
      'NOT_WORKFORCE_ELIGIBLE',
      'Only users who are internal in a workforce organization can be workforce users',
    ),
  notInternal: () =>
    new AppError(
      422,
      'NOT_INTERNAL',
      'Only internal users (members) can become admins; add them as a member first',
    ),
  lastAdmin: () => new AppError(409, 'LAST_ADMIN', 'The organization must keep at least one admin'),
  adminNotRemovable: () =>
    new AppError(409, 'ADMIN_NOT_REMOVABLE', 'Admins cannot be removed; demote them to member first'),
  replacementRequired: (soleAdminOf: unknown[]) =>
    new AppError(
      409,
      'REPLACEMENT_REQUIRED',
      'This user is the only admin of some resources; name a replacement',
      {
        soleAdminOf,
      },
    ),
  invalidReplacement: () =>
    new AppError(
      422,
      'INVALID_REPLACEMENT',
      'The replacement must be another internal user of the organization',
    ),
  notOrgMember: () =>
    new AppError(
      409,
      'NOT_ORG_MEMBER',
      'This user was removed from the organization while the request ran; nothing was granted',
    ),
  domainOfOtherOrganization: (email: string) =>
    new AppError(
      409,
      'DOMAIN_OF_OTHER_ORGANIZATION',
      `The domain of ${email} belongs to another organization: its people can be admins or members there only (they can still be invited to resources here)`,
    ),
  memberNotFound: () => new AppError(404, 'NOT_FOUND', 'Member not found'),
};
