import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { registerBearerAuthenticator } from '../../policy/bearer-authenticators';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { UsersModule } from '../users/users.module';
import { UserIdentity } from './entities/user-identity.entity';
import { IdentityLinksService } from './identity-links.service';
import { IdentityProviderTokenAuthenticator } from './identity-provider-token.authenticator';
import { UserIdentitiesRepository } from './user-identities.repository';

/** Tokens of the company's identity providers (`OIDC_ISSUERS`) as bearer tokens, and the links to users they need. */
@Module({
  imports: [AuditModule, UsersModule, AuthModule, MikroOrmModule.forFeature([UserIdentity])],
  providers: [
    IdentityLinksService,
    UserIdentitiesRepository,
    ...registerBearerAuthenticator(IdentityProviderTokenAuthenticator),
  ],
})
export class IdentityProvidersModule {}
