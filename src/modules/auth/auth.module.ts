import { MikroOrmModule } from '@mikro-orm/nestjs';
import { EmailToken } from './entities/email-token.entity';
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

@Module({
  imports: [
    AuditModule,
    UsersModule,
    MailModule,
    MikroOrmModule.forFeature([EmailToken]),
    JwtModule.registerAsync({
      inject: [JwtKeys],
      useFactory: (keys: JwtKeys) => ({ secret: keys.secret }),
      extraProviders: [JwtKeys],
    }),
    MembershipModule,
  ],
  controllers: [AuthController],
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
  ],
  // For the identity providers: a provider's verified email is proven as a mailed token proves it.
  exports: [CredentialsService],
})
export class AuthModule {}
