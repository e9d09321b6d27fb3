import {
  applyDecorators,
  CanActivate,
  ExecutionContext,
  Header,
  Injectable,
  UseGuards,
} from '@nestjs/common';
import { ApiProblems } from '../../common/api-problems.decorator';
import { CommonErrorCode } from '../../common/app-error';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { normalizeEmail } from '../users/users.service';
import { Public } from '../../policy/public.decorator';
import { RateLimiter } from './rate-limiter';

/**
 * Counts a request per client IP, and per email when the body names one, before the body is
 * validated (guards run before pipes): malformed bodies count too, so probing with them is throttled.
 * The counters are in PostgreSQL, shared by every instance (rate-limiter.ts).
 */
@Injectable()
export class AuthRateLimitGuard implements CanActivate {
  constructor(private readonly rateLimiter: RateLimiter) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const body = request.body as { email?: unknown; username?: unknown } | null | undefined;
    const keys = [`ip:${request.ip}`];
    // The email of the JSON routes, the `username` of the OAuth token endpoint's password grant. Cut to
    // the longest valid email, so a huge string cannot become a huge key.
    const email = typeof body === 'object' && body !== null ? (body.email ?? body.username) : undefined;
    if (typeof email === 'string') keys.push(`email:${normalizeEmail(email).slice(0, 254)}`);
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    // The IETF draft's fields (draft-ietf-httpapi-ratelimit-headers), as GitHub and Okta send them.
    await this.rateLimiter.hit(keys, (quota) => {
      void reply.header('RateLimit-Limit', String(quota.limit));
      void reply.header('RateLimit-Remaining', String(quota.remaining));
      void reply.header('RateLimit-Reset', String(quota.resetSeconds));
    });
    return true;
  }
}

/**
 * A public auth route: no access token, rate-limited before validation, and answers that no cache
 * may keep (they carry access tokens or personal data).
 */
export const PublicAuthRoute = () =>
  applyDecorators(
    Public(),
    UseGuards(AuthRateLimitGuard),
    Header('Cache-Control', 'no-store'),
    Header('Pragma', 'no-cache'),
    ApiProblems(CommonErrorCode.RATE_LIMITED),
  );
