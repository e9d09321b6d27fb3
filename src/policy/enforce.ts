import { subject as tagSubject } from '@casl/ability';
import { CommonErrors } from '../common/app-error';
import { Action, AppAbility, SubjectType } from './actions';

/** A row tagged with its subject type, as the rules' conditions see it. */
export const asSubject = (subjectType: SubjectType, row: object) =>
  tagSubject(subjectType, { ...row } as Record<string, unknown>);

/**
 * Step two of authorization, in services: may the caller do `action` to this particular row?
 * Refused, it is a 403 FORBIDDEN problem.
 *
 * `cannot` rather than `ForbiddenError.from(ability).unlessCan`: both ask `relevantRuleFor` the same
 * question, but the ForbiddenError is an Error built (stack trace captured) on every call, allowed or
 * not: 2% of the server's CPU on adding a member (docs/decisions.md).
 */
export function enforce(ability: AppAbility, action: Action, subjectType: SubjectType, row: object): void {
  if (ability.cannot(action, asSubject(subjectType, row)))
    throw CommonErrors.forbidden(`You are not allowed to ${action} this ${subjectType.toLowerCase()}`);
}
