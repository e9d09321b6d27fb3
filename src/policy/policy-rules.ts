import { AbilityBuilder } from '@casl/ability';
import { Injectable } from '@nestjs/common';
import { AppAbility } from './actions';
import { PolicyContext } from './policy-context';

export type RuleBuilder = AbilityBuilder<AppAbility>;
export type DefineRules = (builder: RuleBuilder, ctx: PolicyContext) => void;

/**
 * The rules of every feature, registered by the features themselves (`PolicyModule.forFeature`),
 * so the engine knows no feature. Rules only allow (`can`), so their order does not matter.
 */
@Injectable()
export class PolicyRules {
  private readonly defines: DefineRules[] = [];

  add(...defines: DefineRules[]): void {
    this.defines.push(...defines);
  }

  all(): readonly DefineRules[] {
    return this.defines;
  }
}
