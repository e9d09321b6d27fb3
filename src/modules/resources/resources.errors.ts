import { AppError, CommonErrors, CommonErrorCode, declareErrorStatuses } from '../../common/app-error';
import { ResourceKind, ROLES_BY_KIND } from '../../policy/vocabulary';
import { MembershipErrors } from '../membership/membership.errors';

export const kindLabel = (kind: ResourceKind) => kind[0].toUpperCase() + kind.slice(1);

export enum ResourceErrorCode {
  GROUP_OF_OTHER_ORG = 'GROUP_OF_OTHER_ORG',
}

declareErrorStatuses<ResourceErrorCode>({ GROUP_OF_OTHER_ORG: 422 });

export const ResourceErrors = {
  notFound: (kind: ResourceKind) => new AppError(CommonErrorCode.NOT_FOUND, `${kindLabel(kind)} not found`),
  collaboratorNotFound: () => new AppError(CommonErrorCode.NOT_FOUND, 'Collaborator not found'),
  groupNotOnResource: () =>
    new AppError(CommonErrorCode.NOT_FOUND, 'This group has no role on this resource'),
  notificationNotFound: () => new AppError(CommonErrorCode.NOT_FOUND, 'Notification not found'),
  datasetNotAttached: () =>
    new AppError(CommonErrorCode.NOT_FOUND, 'This dataset is not attached to this project'),
  /** The code and text of the organization's last admin: one rule, said once. */
  lastAdmin: () => MembershipErrors.lastAdmin(),
  groupOfOtherOrg: () =>
    new AppError(
      ResourceErrorCode.GROUP_OF_OTHER_ORG,
      "Only a group of the resource's organization can be given a role on it",
    ),
  roleOfOtherKind: (kind: ResourceKind) => {
    const message = `role must be one of ${ROLES_BY_KIND[kind].join(', ')}`;
    return CommonErrors.validation(message, [{ path: 'role', message }]);
  },
};
