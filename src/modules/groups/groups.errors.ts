import { AppError, CommonErrorCode, declareErrorStatuses } from '../../common/app-error';
import { declareConstraintErrors } from '../../common/constraint-errors';

export enum GroupErrorCode {
  GROUP_NAME_TAKEN = 'GROUP_NAME_TAKEN',
  NOT_ORG_USER = 'NOT_ORG_USER',
}

declareErrorStatuses<GroupErrorCode>({ GROUP_NAME_TAKEN: 409, NOT_ORG_USER: 422 });

export const GroupErrors = {
  nameTaken: () =>
    new AppError(
      GroupErrorCode.GROUP_NAME_TAKEN,
      'A group with this name already exists in the organization',
    ),
  /** `userIds`: those named who are not, when known (a race found by the database names nobody). */
  notOrgUser: (userIds?: string[]) =>
    new AppError(
      GroupErrorCode.NOT_ORG_USER,
      'Group members must be admins, members or workforce users of the organization',
      userIds ? { userIds } : {},
    ),
  groupNotFound: () => new AppError(CommonErrorCode.NOT_FOUND, 'Group not found'),
  groupMemberNotFound: () => new AppError(CommonErrorCode.NOT_FOUND, 'This user is not in the group'),
};

declareConstraintErrors({
  groups_org_name_unique: GroupErrors.nameTaken,
  // Rights need a membership (the *_need_membership triggers): the user was removed meanwhile.
  group_members_need_membership: () => GroupErrors.notOrgUser(),
});
