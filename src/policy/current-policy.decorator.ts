import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { AppAbility } from './actions';
import type { JsonAnswer } from '../common/json-answer';
import type { PolicyContext } from './policy-context';
import type { AuthorizedRequest } from './policy.guard';

export interface RequestPolicy {
  ctx: PolicyContext;
  ability: AppAbility;
  /** The row of the guard's scope statement, when the route asked it to load columns (`load` of its resource scope). */
  loaded?: Record<string, unknown>;
  /** The route's answer, when the guard ran its statement in its scope statement (`load` of its organization scope). */
  loadedAnswer?: JsonAnswer<unknown>;
}

/** The caller's policy context and ability, built by the policy guard for this request. */
export const CurrentPolicy = createParamDecorator((_: unknown, context: ExecutionContext): RequestPolicy => {
  const request = context.switchToHttp().getRequest<AuthorizedRequest>();
  if (!request.policy) throw new Error('CurrentPolicy used on a route without @Authorize');
  return request.policy;
});
