import { Module } from '@nestjs/common';
import { AuthzController } from './authz.controller';
import { AuthzService } from './authz.service';

/**
 * The check API: the policy engine's answers for integrators and UIs. It owns no table and no rule:
 * it asks the rules the features registered, over the scopes `BatchScopeLoader` loads.
 */
@Module({
  controllers: [AuthzController],
  providers: [AuthzService],
})
export class AuthzModule {}
