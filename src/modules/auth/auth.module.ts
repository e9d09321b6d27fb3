import { MikroOrmModule } from '@mikro-orm/nestjs';
import { EmailToken } from './entities/email-token.entity';
import { RefreshToken, RefreshTokenFamily } from './entities/refresh-token.entity';
import { RateLimitWindow } from './entities/rate-limit-window.entity';
import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { UsersModule } from '../users/users.module';
import { MailModule } from '../mail/mail.module';
import { JwtModule } from '@nestjs/jwt';
import { MembershipModule } from '../membership/membership.module';
import { AuthController } from './auth.controller';
import { AuthMails } from './auth.mails';
import { AuthService } from './auth.service';
import { CredentialsService } from './credentials.service';
import { EmailTokensRepository } from './email-tokens.repository';
import { JwtKeys } from './jwt-keys';
import { registerBearerAuthenticator } from '../../policy/bearer-authenticators';
import { SessionTokenAuthenticator } from './session-token.authenticator';
import { PasswordResetService } from './password-reset.service';
import { AuthRateLimitGuard } from './public-auth-route.decorator';
import { RateLimiter } from './rate-limiter';
import { ClientCredentialsVerifiers } from './client-credentials';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { SessionsController } from './sessions.controller';
import { SessionsService } from './sessions.service';
import { TokenEndpointService } from './token-endpoint.service';

@Module({
  imports: [
    AuditModule,
    UsersModule,
    MailModule,
    MikroOrmModule.forFeature([EmailToken, RefreshTokenFamily, RefreshToken, RateLimitWindow]),
    JwtModule.registerAsync({
      inject: [JwtKeys],
      useFactory: (keys: JwtKeys) => ({ secret: keys.key }),
      extraProviders: [JwtKeys],
    }),
    MembershipModule,
  ],
  controllers: [AuthController, SessionsController],
  providers: [
    AuthService,
    PasswordResetService,
    CredentialsService,
    EmailTokensRepository,
    AuthMails,
    JwtKeys,
    ...registerBearerAuthenticator(SessionTokenAuthenticator),
    RateLimiter,
    AuthRateLimitGuard,
    SessionsService,
    RefreshTokensRepository,
    TokenEndpointService,
    ClientCredentialsVerifiers,
  ],
  // The module that owns service accounts registers its verifier here (registerClientCredentialsVerifier);
  // the identity providers prove a provider's verified email as a mailed token proves it.
  exports: [ClientCredentialsVerifiers, CredentialsService],
})
export class AuthModule {}
