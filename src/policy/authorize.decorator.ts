import { applyDecorators, SetMetadata } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { ResourceKind } from './vocabulary';
import { Action, SubjectType } from './actions';

/**
 * Where the target of a route is found:
 * - `caller`: the caller alone (`/me`, personal lists);
 * - `platform`: the platform itself (`/platform/...`);
 * - `organization`: the `orgId` path parameter;
 * - `resource`: the `id` path parameter, a resource of `kind`.
 */
export type PolicyScope =
  | { type: 'caller' }
  | { type: 'platform' }
  | { type: 'organization' }
  | { type: 'resource'; kind: ResourceKind };

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
  const decorators = [
    SetMetadata(POLICY_REQUIREMENT, requirement),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'Missing, invalid or expired token' }),
  ];
  if (scope.type !== 'caller') decorators.push(ApiForbiddenResponse({ description: 'Not allowed' }));
  if (scope.type === 'organization' || scope.type === 'resource') {
    decorators.push(ApiNotFoundResponse({ description: 'Not found, or not visible to the caller' }));
  }
  return applyDecorators(...decorators);
}

/** Routes about the caller alone: any signed-in user. */
export const AuthorizeCaller = () => Authorize('read', 'all', { type: 'caller' });
