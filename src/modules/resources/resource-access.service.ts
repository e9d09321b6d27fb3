import { Injectable } from '@nestjs/common';
import { CommonErrors } from '../../common/app-error';
import { AbilityFactory } from '../../policy/ability.factory';
import { asSubject } from '../../policy/enforce';
import { Caller, confirmedUser } from '../../policy/policy-context';
import { ScopeLoader } from '../../policy/scope-loader';
import { kindLabel, ResourceErrors } from './resources.errors';
import { ResourceKind } from '../../policy/vocabulary';

/**
 * The policy engine's answer about a second resource named in a request (the dataset attached to a
 * project, its ontology): the same rules as if the caller had opened it.
 */
@Injectable()
export class ResourceAccess {
  constructor(
    private readonly scopes: ScopeLoader,
    private readonly abilities: AbilityFactory,
  ) {}

  /** 404 when the caller may not know it exists, 403 when they may know but not read it. */
  async assertReadable(caller: Caller, kind: ResourceKind, id: string): Promise<void> {
    const ctx = await this.scopes.forResource(confirmedUser(caller.userId), kind, id);
    if (!ctx) throw CommonErrors.unauthenticated();
    const ability = this.abilities.build(ctx);
    if (!ctx.resource || ability.cannot('discover', asSubject('Resource', ctx.resource))) {
      throw ResourceErrors.notFound(kind);
    }
    if (ability.cannot('read', asSubject('Resource', ctx.resource))) {
      throw CommonErrors.forbidden(`${kindLabel(kind)}: join it or ask its admin for a role before using it`);
    }
  }
}
