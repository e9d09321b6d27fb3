import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AuthorizeCaller } from '../../policy/authorize.decorator';
import { CurrentPolicy, RequestPolicy } from '../../policy/current-policy.decorator';
import { AuthService } from './auth.service';
import { MeDto, SignupResponseDto, TokenResponseDto, VerifyEmailResponseDto } from './dto/auth-responses.dto';
import { LoginDto, SignupDto, VerifyEmailDto } from './dto/signup.dto';
import { Public } from '../../policy/public.decorator';
import { RateLimiter } from './rate-limiter';

@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly rateLimiter: RateLimiter,
  ) {}

  /** Creates an account and mails a verification link. */
  @Public()
  @Post('auth/signup')
  @ApiTooManyRequestsResponse({ description: 'RATE_LIMITED' })
  signup(@Body() body: SignupDto, @Req() request: FastifyRequest): Promise<SignupResponseDto> {
    this.rateLimiter.hit(`ip:${request.ip}`, `email:${body.email}`);
    return this.auth.signup(body);
  }

  /** Confirms the email with the mailed token; joins the organization owning the email's domain. */
  @Public()
  @Post('auth/verify-email')
  @HttpCode(200)
  @ApiTooManyRequestsResponse({ description: 'RATE_LIMITED' })
  verifyEmail(@Body() body: VerifyEmailDto, @Req() request: FastifyRequest): Promise<VerifyEmailResponseDto> {
    this.rateLimiter.hit(`ip:${request.ip}`);
    return this.auth.verifyEmail(body.token);
  }

  /** Exchanges email and password for a bearer access token. */
  @Public()
  @Post('auth/login')
  @HttpCode(200)
  @ApiTooManyRequestsResponse({ description: 'RATE_LIMITED' })
  login(@Body() body: LoginDto, @Req() request: FastifyRequest): Promise<TokenResponseDto> {
    this.rateLimiter.hit(`ip:${request.ip}`, `email:${body.email}`);
    return this.auth.login(body);
  }

  /** The caller, with their organizations. */
  @Get('me')
  @AuthorizeCaller()
  me(@CurrentPolicy() policy: RequestPolicy): Promise<MeDto> {
    return this.auth.me(policy.ctx.caller.userId);
  }
}
