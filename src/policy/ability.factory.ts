import { AbilityBuilder, createMongoAbility } from '@casl/ability';
import { Injectable } from '@nestjs/common';
import { defineMembershipRules } from '../modules/membership/membership.rules';
import { defineOrganizationRules } from '../modules/organizations/organizations.rules';
import { definePlatformRules } from '../modules/platform/platform.rules';
import { defineResourceRules } from '../modules/resources/resources.rules';
import { AppAbility } from './actions';
import { PolicyContext } from './policy-context';

export type RuleBuilder = AbilityBuilder<AppAbility>;
export type DefineRules = (builder: RuleBuilder, ctx: PolicyContext) => void;

/** Each concern writes its own rules; together they are the whole policy. */
const RULES: DefineRules[] = [
  definePlatformRules,
  defineOrganizationRules,
  defineMembershipRules,
  defineResourceRules,
];

@Injectable()
export class AbilityFactory {
  /** The caller's ability in this context: denied unless some rule allows. */
  build(ctx: PolicyContext): AppAbility {
    const builder = new AbilityBuilder<AppAbility>(createMongoAbility);
    for (const define of RULES) define(builder, ctx);
    return builder.build();
  }
}
