import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ProblemDetailsFilter } from './common/problem-details.filter';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { AuditModule } from './modules/audit/audit.module';
import { AuthzModule } from './modules/authz/authz.module';
import { AuthModule } from './modules/auth/auth.module';
import { GroupsModule } from './modules/groups/groups.module';
import { IdentityProvidersModule } from './modules/identity-providers/identity-providers.module';
import { IdempotencyGuard } from './modules/idempotency/idempotency.guard';
import { IdempotencyModule } from './modules/idempotency/idempotency.module';
import { HealthModule } from './modules/health/health.module';
import { MailModule } from './modules/mail/mail.module';
import { MembershipModule } from './modules/membership/membership.module';
import { OrganizationsModule } from './modules/organizations/organizations.module';
import { PlatformModule } from './modules/platform/platform.module';
import { ReadRoutingModule } from './modules/read-routing/read-routing.module';
import { QuotasModule } from './modules/quotas/quotas.module';
import { TagsModule } from './modules/tags/tags.module';
import { ResourcesModule } from './modules/resources/resources.module';
import { ScimModule } from './modules/scim/scim.module';
import { ServiceAccountsModule } from './modules/service-accounts/service-accounts.module';
import { UsersModule } from './modules/users/users.module';
import { WebhooksModule } from './modules/webhooks/webhooks.module';
import { BearerAuthGuard } from './policy/bearer-auth.guard';
import { PolicyGuard } from './policy/policy.guard';
import { PolicyModule } from './policy/policy.module';

@Module({})
export class AppModule {
  static register(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forConfig(config),
        DatabaseModule.forUrl(databaseUrl, {
          statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
          poolMax: config.DB_POOL_MAX,
          acquireTimeoutMs: config.DB_POOL_ACQUIRE_TIMEOUT_MS,
        }),
        PolicyModule,
        MailModule,
        UsersModule,
        AuditModule,
        QuotasModule,
        HealthModule,
        IdempotencyModule,
        ReadRoutingModule.forConfig(config),
        AuthModule,
        IdentityProvidersModule,
        PlatformModule,
        OrganizationsModule,
        MembershipModule,
        GroupsModule,
        TagsModule,
        ResourcesModule,
        ScimModule,
        ServiceAccountsModule,
        WebhooksModule,
        AuthzModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        // Order matters: who the caller is, then what they may do, then whether it is a retry.
        { provide: APP_GUARD, useClass: BearerAuthGuard },
        { provide: APP_GUARD, useClass: PolicyGuard },
        { provide: APP_GUARD, useClass: IdempotencyGuard },
      ],
    };
  }
}
