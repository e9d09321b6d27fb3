import { Global, Module } from '@nestjs/common';
import { AbilityFactory } from './ability.factory';
import { ScopeLoader } from './scope-loader';

@Global()
@Module({ providers: [AbilityFactory, ScopeLoader], exports: [AbilityFactory, ScopeLoader] })
export class PolicyModule {}
