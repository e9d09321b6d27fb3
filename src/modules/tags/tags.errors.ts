import { AppError, CommonErrorCode, declareErrorStatuses } from '../../common/app-error';
import { declareConstraintErrors } from '../../common/constraint-errors';

export enum TagErrorCode {
  TAG_NAME_TAKEN = 'TAG_NAME_TAKEN',
  TAG_IN_USE = 'TAG_IN_USE',
  TAG_OF_OTHER_ORG = 'TAG_OF_OTHER_ORG',
}

declareErrorStatuses<TagErrorCode>({ TAG_NAME_TAKEN: 409, TAG_IN_USE: 409, TAG_OF_OTHER_ORG: 422 });

export const TagErrors = {
  nameTaken: () =>
    new AppError(TagErrorCode.TAG_NAME_TAKEN, 'A tag with this name already exists in the organization'),
  inUse: (projectCount: number) =>
    new AppError(
      TagErrorCode.TAG_IN_USE,
      `The tag is on ${projectCount} projects; repeat with ?confirm=true to remove it from all`,
      { projectCount },
    ),
  ofOtherOrganization: () =>
    new AppError(
      TagErrorCode.TAG_OF_OTHER_ORG,
      "Only tags of the project's own organization can be put on it",
    ),
  notFound: () => new AppError(CommonErrorCode.NOT_FOUND, 'Tag not found'),
  notOnProject: () => new AppError(CommonErrorCode.NOT_FOUND, 'The project does not have this tag'),
};

declareConstraintErrors({
  tags_org_name_unique: TagErrors.nameTaken,
  // What was named was deleted while the request ran: the answer it gets when sent afterwards.
  project_tags_tag_id_foreign: TagErrors.ofOtherOrganization,
  project_tags_project_id_foreign: () => new AppError(CommonErrorCode.NOT_FOUND, 'Project not found'),
});
