import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AuthorizeCaller } from '../../policy/authorize.decorator';
import { CurrentPolicy, RequestPolicy } from '../../policy/current-policy.decorator';
import { AuthService } from './auth.service';
import { MeDto, SignupResponseDto, TokenResponseDto, VerifyEmailResponseDto } from './dto/auth-responses.dto';
import { EmailOnlyDto, PasswordResetConfirmDto } from './dto/password-reset.dto';
import { LoginDto, SignupDto, VerifyEmailDto } from './dto/signup.dto';
import { PasswordResetService } from './password-reset.service';
import { PublicAuthRoute } from './public-auth-route.decorator';

@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly passwordReset: PasswordResetService,
  ) {}

  /** Mails a verification link that carries the chosen password; the account gets it when the link is opened. */
  @PublicAuthRoute()
  @Post('auth/signup')
  @ApiConflictResponse({ description: '`EMAIL_TAKEN`: an active account has this email' })
  signup(@Body() body: SignupDto): Promise<SignupResponseDto> {
    return this.auth.signup(body);
  }

  /** Confirms the email, sets the password chosen at that sign-up, joins the organization owning the domain. */
  @PublicAuthRoute()
  @Post('auth/verify-email')
  @HttpCode(200)
  @ApiBadRequestResponse({ description: '`INVALID_TOKEN`: unknown, used, replaced or expired' })
  verifyEmail(@Body() body: VerifyEmailDto): Promise<VerifyEmailResponseDto> {
    return this.auth.verifyEmail(body.token);
  }

  /** Mails a new link for an unverified sign-up, voiding older ones; the same answer for any email. */
  @PublicAuthRoute()
  @Post('auth/resend-verification')
  @HttpCode(202)
  @ApiAcceptedResponse({ description: 'Accepted; a mail is sent when there is a sign-up to verify' })
  @ApiBadRequestResponse({ description: '`VALIDATION_FAILED`' })
  resendVerification(@Body() body: EmailOnlyDto): Promise<void> {
    return this.auth.resendVerification(body.email);
  }

  /** Mails a single-use password reset link valid one hour; the same answer for any email. */
  @PublicAuthRoute()
  @Post('auth/password-reset')
  @HttpCode(202)
  @ApiAcceptedResponse({ description: 'Accepted; a mail is sent when an account has this email' })
  @ApiBadRequestResponse({ description: '`VALIDATION_FAILED`' })
  requestPasswordReset(@Body() body: EmailOnlyDto): Promise<void> {
    return this.passwordReset.request(body.email);
  }

  /** Sets a new password with the mailed token; every access token issued before stops working. */
  @PublicAuthRoute()
  @Post('auth/password-reset/confirm')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The new password is set' })
  @ApiBadRequestResponse({
    description: '`INVALID_TOKEN`: unknown, used, replaced or expired; `VALIDATION_FAILED`',
  })
  confirmPasswordReset(@Body() body: PasswordResetConfirmDto): Promise<void> {
    return this.passwordReset.confirm(body.token, body.password);
  }

  /** Exchanges email and password for a bearer access token. */
  @PublicAuthRoute()
  @Post('auth/login')
  @HttpCode(200)
  @ApiUnauthorizedResponse({
    description: '`INVALID_CREDENTIALS`, the same for unknown email and wrong password',
  })
  @ApiForbiddenResponse({ description: '`EMAIL_NOT_VERIFIED`' })
  login(@Body() body: LoginDto): Promise<TokenResponseDto> {
    return this.auth.login(body);
  }

  /** The caller, with their organizations. */
  @Get('me')
  @AuthorizeCaller()
  me(@CurrentPolicy() policy: RequestPolicy): Promise<MeDto> {
    return this.auth.me(policy.ctx.caller.userId);
  }
}
