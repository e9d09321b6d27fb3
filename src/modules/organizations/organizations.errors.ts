import { AppError, CommonErrorCode, declareErrorStatuses } from '../../common/app-error';
import { declareConstraintErrors } from '../../common/constraint-errors';

export enum OrganizationErrorCode {
  DOMAIN_TAKEN = 'DOMAIN_TAKEN',
  FREE_MAIL_DOMAIN = 'FREE_MAIL_DOMAIN',
  ORGANIZATION_NAME_TAKEN = 'ORGANIZATION_NAME_TAKEN',
  WORKFORCE_IN_USE = 'WORKFORCE_IN_USE',
}

declareErrorStatuses<OrganizationErrorCode>({
  DOMAIN_TAKEN: 409,
  FREE_MAIL_DOMAIN: 422,
  ORGANIZATION_NAME_TAKEN: 409,
  WORKFORCE_IN_USE: 409,
});

export const OrganizationErrors = {
  domainTaken: (domain?: string) =>
    new AppError(
      OrganizationErrorCode.DOMAIN_TAKEN,
      `The domain ${domain ?? 'named'} already belongs to an organization`,
    ),
  freeMailDomain: (domain: string) =>
    new AppError(
      OrganizationErrorCode.FREE_MAIL_DOMAIN,
      `${domain} is a free mail domain and cannot belong to an organization`,
    ),
  nameTaken: () =>
    new AppError(
      OrganizationErrorCode.ORGANIZATION_NAME_TAKEN,
      'An organization with this name already exists',
    ),
  domainNotFound: () => new AppError(CommonErrorCode.NOT_FOUND, 'Domain not found in this organization'),
  workforceInUse: (count: number) =>
    new AppError(
      OrganizationErrorCode.WORKFORCE_IN_USE,
      `${count} workforce memberships elsewhere depend on this organization being a workforce organization`,
      { workforceMembershipCount: count },
    ),
};

declareConstraintErrors({
  organizations_name_unique: OrganizationErrors.nameTaken,
  organization_domains_domain_unique: () => OrganizationErrors.domainTaken(),
});
