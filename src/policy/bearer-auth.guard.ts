import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { CommonErrors } from '../common/app-error';
import { BearerAuthenticators } from './bearer-authenticators';
import type { AuthorizedRequest } from './policy.guard';
import { IS_PUBLIC } from './public.decorator';

/** One answer for every credential refused (missing, malformed, unknown, expired, revoked): it tells an attacker nothing. */
export const INVALID_CREDENTIAL = 'Missing, invalid or expired access token';

const BEARER = /^Bearer ([\x21-\x7e]{1,4096})$/i;

/**
 * Global: every route needs a bearer credential that one of the registered authenticators accepts,
 * unless marked @Public(). Whom it names is confirmed by the policy guard's scope query.
 */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticators: BearerAuthenticators,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) {
      return true;
    }
    const request = context.switchToHttp().getRequest<AuthorizedRequest>();
    const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
    const credential = token ? await this.authenticators.authenticate(token) : undefined;
    if (!credential) throw CommonErrors.unauthenticated(INVALID_CREDENTIAL);
    request.credential = credential;
    return true;
  }
}
