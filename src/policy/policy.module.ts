import { DynamicModule, Global, Module } from '@nestjs/common';
import { AbilityFactory } from './ability.factory';
import { BatchScopeLoader } from './batch-scope-loader';
import { BearerAuthenticators } from './bearer-authenticators';
import { DefineRules, PolicyRules } from './policy-rules';
import { ScopeLoader } from './scope-loader';

@Global()
@Module({
  providers: [PolicyRules, AbilityFactory, ScopeLoader, BatchScopeLoader, BearerAuthenticators],
  exports: [PolicyRules, AbilityFactory, ScopeLoader, BatchScopeLoader, BearerAuthenticators],
})
export class PolicyModule {
  /** A feature adds its rules to the one policy by importing `PolicyModule.forFeature(defineItsRules)`. */
  static forFeature(...defines: DefineRules[]): DynamicModule {
    return {
      module: PolicyFeatureModule,
      providers: [
        {
          provide: Symbol('policy rules'),
          useFactory: (rules: PolicyRules) => rules.add(...defines),
          inject: [PolicyRules],
        },
      ],
    };
  }
}

@Module({})
class PolicyFeatureModule {}
