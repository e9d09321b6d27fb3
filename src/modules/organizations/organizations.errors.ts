import { AppError } from '../../common/app-error';

export const OrganizationErrors = {
  domainTaken: (domain: string) =>
    new AppError(409, 'DOMAIN_TAKEN', `The domain ${domain} already belongs to an organization`),
  freeMailDomain: (domain: string) =>
    new AppError(
      422,
      'FREE_MAIL_DOMAIN',
      `${domain} is a free mail domain and cannot belong to an organization`,
    ),
  nameTaken: () =>
    new AppError(409, 'ORGANIZATION_NAME_TAKEN', 'An organization with this name already exists'),
  domainNotFound: () => new AppError(404, 'NOT_FOUND', 'Domain not found in this organization'),
  workforceInUse: (count: number) =>
    new AppError(
      409,
      'WORKFORCE_IN_USE',
      `${count} workforce memberships elsewhere depend on this organization being a workforce organization`,
      { workforceMembershipCount: count },
    ),
};
