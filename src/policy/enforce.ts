import { ForbiddenError, subject as tagSubject } from '@casl/ability';
import { CommonErrors } from '../common/app-error';
import { Action, AppAbility, SubjectType } from './actions';

/** A row tagged with its subject type, as the rules' conditions see it. */
export const asSubject = (subjectType: SubjectType, row: object) =>
  tagSubject(subjectType, { ...row } as Record<string, unknown>);

/**
 * Step two of authorization, in services: may the caller do `action` to this particular row?
 * Refused, it is a 403 FORBIDDEN problem.
 */
export function enforce(ability: AppAbility, action: Action, subjectType: SubjectType, row: object): void {
  const error = ForbiddenError.from(ability).unlessCan(action, asSubject(subjectType, row));
  if (error)
    throw CommonErrors.forbidden(`You are not allowed to ${action} this ${subjectType.toLowerCase()}`);
}
