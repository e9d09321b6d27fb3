import { AppError } from '../../common/app-error';

export const GroupErrors = {
  nameTaken: () =>
    new AppError(409, 'GROUP_NAME_TAKEN', 'A group with this name already exists in the organization'),
  notOrgUser: (userIds: string[]) =>
    new AppError(
      422,
      'NOT_ORG_USER',
      'Group members must be admins, members or workforce users of the organization',
      { userIds },
    ),
  groupNotFound: () => new AppError(404, 'NOT_FOUND', 'Group not found'),
  groupMemberNotFound: () => new AppError(404, 'NOT_FOUND', 'This user is not in the group'),
};
