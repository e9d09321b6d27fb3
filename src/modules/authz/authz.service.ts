import { Injectable } from '@nestjs/common';
import { CommonErrors } from '../../common/app-error';
import { AbilityFactory } from '../../policy/ability.factory';
import { AppAbility } from '../../policy/actions';
import { BatchScope, BatchScopeLoader, ScopeTarget, TargetScope } from '../../policy/batch-scope-loader';
import { asSubject } from '../../policy/enforce';
import { Credential } from '../../policy/policy-context';
import { ResourceKind } from '../../policy/vocabulary';
import {
  actionsOf,
  CheckableAction,
  checkableAction,
  CheckAction,
  CheckTargetType,
} from './check-vocabulary';
import {
  CheckPermissionsDto,
  CheckResultsDto,
  OrganizationPermissionsDto,
  ResourcePermissionsDto,
} from './dto/authz.dto';

/**
 * The policy engine's answers for integrators and UIs: the rules registered by the features, over
 * the same data the routes' guard loads, for many targets in one statement.
 */
@Injectable()
export class AuthzService {
  constructor(
    private readonly scopes: BatchScopeLoader,
    private readonly abilities: AbilityFactory,
  ) {}

  async check(credential: Credential, body: CheckPermissionsDto): Promise<CheckResultsDto> {
    const actions = body.checks.map((check, index) => {
      const action = checkableAction(check.resource.type, check.action);
      if (!action) {
        const message = `${check.action} is not an action of a ${check.resource.type}`;
        throw CommonErrors.validation(`checks.${index}.action: ${message}`, [
          { path: `checks.${index}.action`, message },
        ]);
      }
      return action;
    });
    const scope = await this.load(
      credential,
      body.userId,
      body.checks.map((check) => check.resource),
    );
    const delegated = scope.subject?.userId !== scope.caller.userId;
    // The same answer for an unknown user and one of another tenant: asking never reveals who exists.
    if (
      !scope.subject ||
      (delegated && !scope.caller.isPlatformAdmin && !scope.subjectInCallersOrganization)
    ) {
      throw CommonErrors.forbidden('You may ask about the users of organizations you administer only');
    }
    const abilities = new Map<number, AppAbility>();
    return {
      results: body.checks.map((check, index) => {
        const target = scope.targets[index];
        // Someone else's rights are an admin's to know in the organizations they administer only.
        if (delegated && !scope.caller.isPlatformAdmin && target.callerMembershipType !== 'admin') {
          return { allowed: false };
        }
        const ability = abilities.get(index) ?? this.abilities.build(target.ctx);
        abilities.set(index, ability);
        return {
          allowed:
            discoverable(ability, check.resource.type, target) && allows(ability, target, actions[index]),
        };
      }),
    };
  }

  /** 404 for a target the caller may not know exists, as its routes answer. */
  organizationPermissions(
    credential: Credential,
    organizationId: string,
  ): Promise<OrganizationPermissionsDto> {
    return this.permissions(
      credential,
      'organization',
      organizationId,
      'Organization',
    ) as Promise<OrganizationPermissionsDto>;
  }

  resourcePermissions(
    credential: Credential,
    kind: ResourceKind,
    id: string,
  ): Promise<ResourcePermissionsDto> {
    const label = kind[0].toUpperCase() + kind.slice(1);
    return this.permissions(credential, kind, id, label) as Promise<ResourcePermissionsDto>;
  }

  private async permissions(
    credential: Credential,
    type: CheckTargetType,
    id: string,
    label: string,
  ): Promise<{ actions: CheckAction[] }> {
    const scope = await this.load(credential, undefined, [{ type, id }]);
    const [target] = scope.targets;
    const ability = this.abilities.build(target.ctx);
    if (!discoverable(ability, type, target)) throw CommonErrors.notFound(label);
    return {
      actions: actionsOf(type).filter((name) => allows(ability, target, checkableAction(type, name)!)),
    };
  }

  private async load(
    credential: Credential,
    userId: string | undefined,
    targets: ScopeTarget[],
  ): Promise<BatchScope> {
    const scope = await this.scopes.forTargets(credential, userId, targets);
    // A valid token for an account that no longer exists, or whose password changed since, is no credential.
    if (!scope) throw CommonErrors.unauthenticated();
    credential.confirmed?.();
    return scope;
  }
}

/** What the routes' guard answers 404 to: a target that does not exist or that the subject may not know of. */
function discoverable(ability: AppAbility, type: CheckTargetType, target: TargetScope): boolean {
  const { organization, resource } = target.ctx;
  if (type === 'organization')
    return !!organization && ability.can('discover', asSubject('Organization', organization));
  return !!resource && ability.can('discover', asSubject('Resource', resource));
}

function allows(ability: AppAbility, target: TargetScope, action: CheckableAction): boolean {
  if (action.needs && !action.needs(target)) return false;
  return action.questions.every(({ action: verb, subject, row }) =>
    row ? ability.can(verb, asSubject(subject, row(target.ctx))) : ability.can(verb, subject),
  );
}
