import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { CommonErrors } from '../common/app-error';
import { INVALID_CREDENTIAL } from './bearer-auth.guard';
import { IS_PUBLIC } from './public.decorator';
import { AbilityFactory } from './ability.factory';
import { AppAbility } from './actions';
import { POLICY_REQUIREMENT, PolicyRequirement } from './authorize.decorator';
import { asSubject } from './enforce';
import { Credential, PolicyContext } from './policy-context';
import { PolicyErrors } from './policy.errors';
import { isUuid, ScopeLoader } from './scope-loader';

export interface AuthorizedRequest extends FastifyRequest {
  /** Set by the bearer guard: who the token claims to be, before the database confirms it. */
  credential?: Credential;
  policy?: { ctx: PolicyContext; ability: AppAbility; loaded?: Record<string, unknown> };
}

/**
 * The one gate every request passes: deny by default. Step one, here: may the caller do this kind
 * of action on this kind of target at all (404 when they may not even know it exists, 403 when they
 * may know but not act). Step two, in the services: may they do it to this particular row.
 */
@Injectable()
export class PolicyGuard implements CanActivate {
  private readonly logger = new Logger(PolicyGuard.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly abilities: AbilityFactory,
    private readonly scopes: ScopeLoader,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const requirement = this.reflector.getAllAndOverride<PolicyRequirement>(POLICY_REQUIREMENT, targets);
    const request = context.switchToHttp().getRequest<AuthorizedRequest>();
    if (!requirement) {
      this.logger.error(`route ${request.routeOptions.url} declares no policy: refused`);
      throw CommonErrors.forbidden();
    }
    const credential = request.credential;
    if (!credential) throw CommonErrors.unauthenticated(INVALID_CREDENTIAL);
    // The route confirms the credential in its own statement, with the scopes of its targets.
    if (requirement.scope.type === 'batch') return true;

    const { ctx, loaded } = await this.loadContext(
      requirement,
      credential,
      request.params as Record<string, string>,
    );
    const ability = this.abilities.build(ctx);
    request.policy = loaded ? { ctx, ability, loaded } : { ctx, ability };
    this.check(requirement, ctx, ability);
    return true;
  }

  private async loadContext(
    requirement: PolicyRequirement,
    credential: Credential,
    params: Record<string, string>,
  ): Promise<{ ctx: PolicyContext; loaded?: Record<string, unknown> }> {
    const { scope } = requirement;
    let scoped: { ctx: PolicyContext; loaded?: Record<string, unknown> } | undefined;
    if (scope.type === 'organization') {
      const ctx = isUuid(params.orgId)
        ? await this.scopes.forOrganization(credential, params.orgId)
        : await this.scopes.forCaller(credential);
      scoped = ctx && { ctx };
    } else if (scope.type === 'resource' && isUuid(params.id)) {
      scoped = await this.scopes.forResourceLoading(credential, scope.kind, params.id, scope.load);
    } else {
      const ctx = await this.scopes.forCaller(credential);
      scoped = ctx && { ctx };
    }
    // A valid token for an account that no longer exists, or whose password changed since, is no credential.
    if (!scoped) throw CommonErrors.unauthenticated(INVALID_CREDENTIAL);
    credential.confirmed?.();
    return scoped;
  }

  private check(requirement: PolicyRequirement, ctx: PolicyContext, ability: AppAbility): void {
    const { action, subject: subjectType, scope } = requirement;
    switch (scope.type) {
      case 'caller':
      case 'batch':
        return;
      case 'platform':
        if (ability.cannot(action, subjectType)) throw CommonErrors.forbidden();
        return;
      case 'organization': {
        if (!ctx.organization || ability.cannot('discover', asSubject('Organization', ctx.organization))) {
          throw CommonErrors.notFound('Organization');
        }
        if (ability.cannot(action, subjectType)) throw CommonErrors.forbidden();
        return;
      }
      case 'resource': {
        const resource = ctx.resource;
        if (!resource || ability.cannot('discover', asSubject('Resource', resource))) {
          throw CommonErrors.notFound(scope.kind[0].toUpperCase() + scope.kind.slice(1));
        }
        if (ability.cannot(action, subjectType)) {
          throw ability.can('join', asSubject('Resource', resource)) && !resource.role
            ? PolicyErrors.joinRequired()
            : CommonErrors.forbidden();
        }
        return;
      }
    }
  }
}
