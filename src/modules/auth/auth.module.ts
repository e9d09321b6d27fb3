import { MikroOrmModule } from '@mikro-orm/nestjs';
import { EmailVerificationToken } from './entities/email-verification-token.entity';
import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { MembershipModule } from '../membership/membership.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { JwtKeys } from './jwt-keys';
import { JwtStrategy } from './jwt.strategy';
import { RateLimiter } from './rate-limiter';

@Module({
  imports: [
    MikroOrmModule.forFeature([EmailVerificationToken]),
    PassportModule,
    JwtModule.registerAsync({
      inject: [JwtKeys],
      useFactory: (keys: JwtKeys) => ({ secret: keys.secret }),
      extraProviders: [JwtKeys],
    }),
    MembershipModule,
  ],
  controllers: [AuthController],
  providers: [AuthService, JwtKeys, JwtStrategy, RateLimiter],
})
export class AuthModule {}
