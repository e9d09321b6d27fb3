import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AppError, CommonErrors } from '../common/app-error';
import { AppConfig } from '../config/app-config';
import { READS_FROM_REPLICA } from '../database/read-routing';
import { INVALID_CREDENTIAL } from './bearer-auth.guard';
import { IS_PUBLIC } from './public.decorator';
import { AbilityFactory } from './ability.factory';
import { AppAbility } from './actions';
import type { RequestPolicy } from './current-policy.decorator';
import { POLICY_REQUIREMENT, PolicyRequirement } from './authorize.decorator';
import { asSubject } from './enforce';
import { Credential, InScope, PolicyContext, ScopeStatement, ScopeStatementOf } from './policy-context';
import { MEMBERSHIP_TYPES } from './vocabulary';
import { PolicyErrors } from './policy.errors';
import { accessibleSql, SqlFragment, writtenAsSql } from './sql-filter';
import { isUuid, ScopeLoader } from './scope-loader';

export interface AuthorizedRequest extends FastifyRequest {
  /** Set by the bearer guard: who the token claims to be, before the database confirms it. */
  credential?: Credential;
  policy?: RequestPolicy;
}

type Scoped = Omit<RequestPolicy, 'ability'>;

/**
 * The route's statement, or none when its input is refused: the route answers that itself, after the
 * policy check (a caller who may not know the organization gets 404, not a word about their input).
 */
async function statementOf(load: ScopeStatementOf, params: Record<string, string>, query: unknown) {
  try {
    return await load({ params, query });
  } catch (error) {
    if (error instanceof AppError && error.status === 400) return undefined;
    throw error;
  }
}

/** Ids of no one: the rules of an organization scope compare ids only with the context's own. */
const SOME_USER = '00000000-0000-4000-8000-000000000001';
const SOME_ORGANIZATION = '00000000-0000-4000-8000-000000000002';
/** The same ids in the scope statement. */
const SCOPE_IDS = new Map([
  [SOME_USER, 'u.id'],
  [SOME_ORGANIZATION, 'o.id'],
]);
const CALLER_IN_SCOPE = { sql: 'u.id', params: [] };
const NOTHING = { sql: 'false', params: [] };

/** Callers of one filter: SQL over the scope statement's own columns, and the filter, over the route's rows. */
interface RelationFilter {
  when: string;
  allowed: SqlFragment;
}

/** Every relation a caller can have to an organization, as the rules of an organization scope see it. */
const ORGANIZATION_RELATIONS = [...MEMBERSHIP_TYPES, null].flatMap((membershipType) =>
  [false, true].flatMap((isPlatformAdmin) =>
    [false, true].map((isWorkforce) => ({ membershipType, isPlatformAdmin, isWorkforce })),
  ),
);

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
    private readonly config: AppConfig,
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

    const scoped = await this.loadContext(requirement, credential, request, context);
    const ability = this.abilities.build(scoped.ctx);
    request.policy = { ...scoped, ability };
    this.check(requirement, scoped.ctx, ability);
    return true;
  }

  private async loadContext(
    requirement: PolicyRequirement,
    credential: Credential,
    request: AuthorizedRequest,
    context: ExecutionContext,
  ): Promise<Scoped> {
    const { scope } = requirement;
    const params = request.params as Record<string, string>;
    let scoped: Scoped | undefined;
    if (scope.type === 'organization') {
      if (isUuid(params.orgId)) {
        const statement =
          scope.load && this.loadsInScope(context)
            ? await statementOf(scope.load, params, request.query)
            : undefined;
        scoped = await this.scopes.forOrganizationLoading(
          credential,
          params.orgId,
          statement && this.branchesOf(requirement, credential.scheme, statement),
        );
      } else {
        const ctx = await this.scopes.forCaller(credential);
        scoped = ctx && { ctx };
      }
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

  /**
   * With replicas, a route that reads from one keeps its statement there: the scope statement runs on
   * the primary, which confirms the credential as it is now.
   */
  private loadsInScope(context: ExecutionContext): boolean {
    return (
      this.config.DATABASE_REPLICA_URLS.length === 0 ||
      !this.reflector.get<boolean>(READS_FROM_REPLICA, context.getHandler())
    );
  }

  /** The route's statement once per filter of the relations that pass; none when no relation passes. */
  private branchesOf(
    requirement: PolicyRequirement,
    scheme: string,
    statement: (scope: InScope) => ScopeStatement,
  ): { when: string; statement: ScopeStatement }[] | undefined {
    const filters = this.relationFilters(requirement, scheme);
    if (filters.length === 0) return undefined;
    return filters.map(({ when, allowed }) => ({
      when,
      statement: statement({ callerId: CALLER_IN_SCOPE, allowed }),
    }));
  }

  private readonly filters = new WeakMap<PolicyRequirement, Map<string, RelationFilter[]>>();

  /**
   * The callers the organization check lets through, grouped by the filter their rules put on the
   * route's rows: every relation to the organization (the scope statement's `m.type`,
   * `u.is_platform_admin`, `o.is_workforce`) put to the rules once, its ability turned into SQL by
   * `accessibleSql` as the route would turn the caller's, the context's ids written as the scope's
   * own (`u.id`, `o.id`). So the SQL says what the rules say, and a route's statement runs only for
   * callers who pass: one refused would learn from its time what it may not read.
   */
  private relationFilters(requirement: PolicyRequirement, scheme: string): RelationFilter[] {
    let byScheme = this.filters.get(requirement);
    if (!byScheme) this.filters.set(requirement, (byScheme = new Map()));
    let filters = byScheme.get(scheme);
    if (!filters) {
      const fields = (requirement.scope.type === 'organization' && requirement.scope.fields) || {};
      const relationsByFilter = new Map<string, { allowed: SqlFragment; relations: string[] }>();
      for (const { membershipType, isPlatformAdmin, isWorkforce } of ORGANIZATION_RELATIONS) {
        const ctx: PolicyContext = {
          caller: { userId: SOME_USER, isPlatformAdmin, scheme },
          organization: { id: SOME_ORGANIZATION, isWorkforce, membershipType },
        };
        const ability = this.abilities.build(ctx);
        if (!this.passes(requirement, ctx, ability)) continue;
        const allowed = writtenAsSql(
          accessibleSql(ability, requirement.action, requirement.subject, fields) ?? NOTHING,
          SCOPE_IDS,
        );
        // An id left among the values (in a list, say) would compare with no one's: refuse to guess.
        if (
          allowed.params.some((value) =>
            [...SCOPE_IDS.keys()].some((id) => JSON.stringify(value).includes(id)),
          )
        )
          throw new Error(
            `the rules of ${requirement.action} ${requirement.subject} name the caller in a way no SQL here reads`,
          );
        const key = JSON.stringify(allowed);
        let group = relationsByFilter.get(key);
        if (!group) relationsByFilter.set(key, (group = { allowed, relations: [] }));
        group.relations.push(`('${membershipType ?? ''}', ${isPlatformAdmin}, ${isWorkforce})`);
      }
      filters = [...relationsByFilter.values()].map(({ allowed, relations }) => ({
        when: `o.id is not null and (coalesce(m.type, ''), u.is_platform_admin, o.is_workforce) in (${relations.join(', ')})`,
        allowed,
      }));
      byScheme.set(scheme, filters);
    }
    return filters;
  }

  private passes(requirement: PolicyRequirement, ctx: PolicyContext, ability: AppAbility): boolean {
    try {
      this.check(requirement, ctx, ability);
      return true;
    } catch {
      return false;
    }
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
