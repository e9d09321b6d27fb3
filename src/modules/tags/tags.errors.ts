import { AppError } from '../../common/app-error';

export const TagErrors = {
  nameTaken: () =>
    new AppError(409, 'TAG_NAME_TAKEN', 'A tag with this name already exists in the organization'),
  inUse: (projectCount: number) =>
    new AppError(
      409,
      'TAG_IN_USE',
      `The tag is on ${projectCount} projects; repeat with ?confirm=true to remove it from all`,
      {
        projectCount,
      },
    ),
  ofOtherOrganization: () =>
    new AppError(422, 'TAG_OF_OTHER_ORG', "Only tags of the project's own organization can be put on it"),
  notFound: () => new AppError(404, 'NOT_FOUND', 'Tag not found'),
  notOnProject: () => new AppError(404, 'NOT_FOUND', 'The project does not have this tag'),
};
