import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { registerBearerAuthenticator } from '../../policy/bearer-authenticators';
import { PolicyModule } from '../../policy/policy.module';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { registerClientCredentialsVerifier } from '../auth/client-credentials';
import { MembershipModule } from '../membership/membership.module';
import { ApiKeyAuthenticator, ApiKeyUsage, ApiKeyVerifier } from './api-key.authenticator';
import { ApiKey } from './entities/api-key.entity';
import { ServiceAccountsController } from './service-accounts.controller';
import { ServiceAccountsRepository } from './service-accounts.repository';
import { defineServiceAccountRules } from './service-accounts.rules';
import { ServiceAccountsService } from './service-accounts.service';

/** Service accounts of organizations, their API keys, and the way in with `Authorization: Bearer oak_...`. */
@Module({
  imports: [
    AuditModule,
    AuthModule,
    MembershipModule,
    MikroOrmModule.forFeature([ApiKey]),
    PolicyModule.forFeature(defineServiceAccountRules),
  ],
  controllers: [ServiceAccountsController],
  providers: [
    ServiceAccountsService,
    ServiceAccountsRepository,
    ApiKeyUsage,
    ...registerClientCredentialsVerifier(ApiKeyVerifier),
    ...registerBearerAuthenticator(ApiKeyAuthenticator),
  ],
  exports: [ApiKeyVerifier],
})
export class ServiceAccountsModule {}
