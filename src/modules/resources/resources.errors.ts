import { AppError } from '../../common/app-error';
import { ResourceKind, ROLES_BY_KIND } from '../../policy/vocabulary';

export const kindLabel = (kind: ResourceKind) => kind[0].toUpperCase() + kind.slice(1);

export const ResourceErrors = {
  notFound: (kind: ResourceKind) => new AppError(404, 'NOT_FOUND', `${kindLabel(kind)} not found`),
  collaboratorNotFound: () => new AppError(404, 'NOT_FOUND', 'Collaborator not found'),
  groupNotOnResource: () => new AppError(404, 'NOT_FOUND', 'This group has no role on this resource'),
  notificationNotFound: () => new AppError(404, 'NOT_FOUND', 'Notification not found'),
  datasetNotAttached: () => new AppError(404, 'NOT_FOUND', 'This dataset is not attached to this project'),
  lastAdmin: () =>
    new AppError(409, 'LAST_ADMIN', 'A resource must keep at least one admin: add another admin first'),
  groupOfOtherOrg: () =>
    new AppError(
      422,
      'GROUP_OF_OTHER_ORG',
      "Only a group of the resource's organization can be given a role on it",
    ),
  roleOfOtherKind: (kind: ResourceKind) =>
    new AppError(400, 'VALIDATION_FAILED', `role must be one of ${ROLES_BY_KIND[kind].join(', ')}`, {
      errors: [{ path: 'role', message: `role must be one of ${ROLES_BY_KIND[kind].join(', ')}` }],
    }),
};
