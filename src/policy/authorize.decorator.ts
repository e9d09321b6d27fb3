import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { ApiProblems } from '../common/api-problems.decorator';
import { CommonErrorCode } from '../common/app-error';
import { PolicyErrorCode } from './policy.errors';
import type { ScopeColumns, ScopeStatementOf } from './policy-context';
import type { ResourceKind } from './vocabulary';
import type { FieldSql } from './sql-filter';
import { Action, SubjectType } from './actions';

/**
 * Where the target of a route is found:
 * - `caller`: the caller alone (`/me`, personal lists);
 * - `platform`: the platform itself (`/platform/...`);
 * - `organization`: the `orgId` path parameter; with `load`, the route's own statement, run in the
 *   guard's statement when the caller passes the check (one round trip for a list route); `fields`
 *   say how the conditions of the requirement's rules read in SQL over the statement's rows (none:
 *   the rules put no condition on them), from which the guard derives each relation's filter;
 * - `resource`: the `id` path parameter, a resource of `kind`; with `load`, columns of the resource
 *   that the route reads, loaded in the guard's statement (one round trip for a route that reads it);
 * - `batch`: many targets named in the request (the check API): the route loads their scopes itself,
 *   with the credential's statement in the same query, so the guard loads nothing (one round trip).
 */
export type PolicyScope =
  | { type: 'caller' }
  | { type: 'batch' }
  | { type: 'platform' }
  | { type: 'organization'; load?: ScopeStatementOf; fields?: Record<string, FieldSql> }
  | { type: 'resource'; kind: ResourceKind; load?: ScopeColumns };

export interface PolicyRequirement {
  action: Action;
  subject: SubjectType;
  scope: PolicyScope;
}

export const POLICY_REQUIREMENT = 'policyRequirement';

/**
 * Declares what a route needs; the policy guard refuses everything else. Guard metadata and the
 * Swagger security entry travel together so the document never disagrees with the code.
 */
export function Authorize(action: Action, subject: SubjectType, scope: PolicyScope) {
  const requirement: PolicyRequirement = { action, subject, scope };
  const codes: string[] = [CommonErrorCode.UNAUTHENTICATED];
  if (scope.type !== 'caller' && scope.type !== 'batch') codes.push(CommonErrorCode.FORBIDDEN);
  if (scope.type === 'organization' || scope.type === 'resource') codes.push(CommonErrorCode.NOT_FOUND);
  if (scope.type === 'resource') codes.push(PolicyErrorCode.JOIN_REQUIRED);
  const decorators = [SetMetadata(POLICY_REQUIREMENT, requirement), ApiBearerAuth(), ApiProblems(...codes)];
  return applyDecorators(...decorators);
}

/** Routes about the caller alone: any signed-in user. */
export const AuthorizeCaller = () => Authorize('read', 'all', { type: 'caller' });
