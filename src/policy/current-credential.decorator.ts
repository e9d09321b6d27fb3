import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Credential } from './policy-context';
import type { AuthorizedRequest } from './policy.guard';

/**
 * The bearer credential, not yet confirmed by the database: for routes of `batch` scope, which
 * confirm it in their own statement (see `BatchScopeLoader`).
 */
export const CurrentCredential = createParamDecorator((_: unknown, context: ExecutionContext): Credential => {
  const request = context.switchToHttp().getRequest<AuthorizedRequest>();
  if (!request.credential) throw new Error('CurrentCredential used on a public route');
  return request.credential;
});
