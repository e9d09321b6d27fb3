import { DriverException } from '@mikro-orm/core';
import { DatabaseError } from 'pg';
import { AppError } from './app-error';

/**
 * Database constraints are the last word on invariants that must hold under concurrency. When one
 * refuses a write that the service's own checks let through (a race), the answer is the same
 * business error the check would have given.
 */
const BY_CONSTRAINT: Record<string, () => AppError> = {
  users_email_unique: () => new AppError(409, 'EMAIL_TAKEN', 'An account with this email already exists'),
  organizations_name_unique: () =>
    new AppError(409, 'ORGANIZATION_NAME_TAKEN', 'An organization with this name already exists'),
  organization_domains_domain_unique: () =>
    new AppError(409, 'DOMAIN_TAKEN', 'This domain already belongs to an organization'),
  memberships_org_user_unique: () =>
    new AppError(409, 'ALREADY_MEMBER', 'This user is already in the organization'),
  memberships_one_internal_org: () =>
    new AppError(409, 'ALREADY_INTERNAL_ELSEWHERE', 'This user is already internal in another organization'),
  groups_org_name_unique: () =>
    new AppError(409, 'GROUP_NAME_TAKEN', 'A group with this name already exists in the organization'),
  tags_org_name_unique: () =>
    new AppError(409, 'TAG_NAME_TAKEN', 'A tag with this name already exists in the organization'),
  // Rights need a membership (the *_need_membership triggers): the user was removed meanwhile.
  collaborators_need_membership: () => notOrgMember(),
  notification_recipients_need_membership: () => notOrgMember(),
  group_members_need_membership: () =>
    new AppError(
      422,
      'NOT_ORG_USER',
      'Group members must be admins, members or workforce users of the organization',
    ),
  // What was named was deleted while the request ran: the answer it gets when sent afterwards.
  project_tags_tag_id_foreign: () =>
    new AppError(422, 'TAG_OF_OTHER_ORG', "Only tags of the project's own organization can be put on it"),
  project_tags_project_id_foreign: () => new AppError(404, 'NOT_FOUND', 'Project not found'),
};

function notOrgMember(): AppError {
  return new AppError(
    409,
    'NOT_ORG_MEMBER',
    'This user was removed from the organization while the request ran; nothing was granted',
  );
}

/** Raised by the database's own invariant triggers (see migrations): `raise exception using message = 'LAST_ADMIN'`. */
const BY_RAISED_CODE: Record<string, () => AppError> = {
  LAST_ADMIN: () => new AppError(409, 'LAST_ADMIN', 'The last admin cannot be removed or demoted'),
};

/**
 * Raw SQL (`sql()` in src/database/sql.ts) and commits surface the driver's own error rather than a
 * MikroORM DriverException: both carry the constraint name and the message, which is all this needs.
 */
export function constraintError(exception: DriverException | DatabaseError): AppError | undefined {
  const constraint = (exception as { constraint?: string }).constraint;
  if (constraint && BY_CONSTRAINT[constraint]) return BY_CONSTRAINT[constraint]();
  for (const [code, make] of Object.entries(BY_RAISED_CODE)) {
    if (exception.message.includes(code)) return make();
  }
  return undefined;
}
