import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthorizeCaller } from '../../policy/authorize.decorator';
import { CurrentPolicy, RequestPolicy } from '../../policy/current-policy.decorator';
import { AuthService } from './auth.service';
import { MeDto, SignupResponseDto, TokenResponseDto, VerifyEmailResponseDto } from './dto/auth-responses.dto';
import { EmailOnlyDto, PasswordResetConfirmDto } from './dto/password-reset.dto';
import { LoginDto, SignupDto, VerifyEmailDto } from './dto/signup.dto';
import { PasswordResetService } from './password-reset.service';
import { PublicAuthRoute } from './public-auth-route.decorator';
import { ApiProblems } from '../../common/api-problems.decorator';
import { AuthErrorCode } from './auth.errors';

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
  @ApiOperation({ operationId: 'signUp' })
  @ApiProblems(AuthErrorCode.EMAIL_TAKEN)
  signup(@Body() body: SignupDto): Promise<SignupResponseDto> {
    return this.auth.signup(body);
  }

  /** Confirms the email, sets the password chosen at that sign-up, joins the organization owning the domain. */
  @PublicAuthRoute()
  @Post('auth/verify-email')
  @HttpCode(200)
  @ApiOperation({ operationId: 'verifyEmail' })
  @ApiProblems(AuthErrorCode.INVALID_TOKEN)
  verifyEmail(@Body() body: VerifyEmailDto): Promise<VerifyEmailResponseDto> {
    return this.auth.verifyEmail(body.token);
  }

  /** Mails a new link for an unverified sign-up, voiding older ones; the same answer for any email. */
  @PublicAuthRoute()
  @Post('auth/resend-verification')
  @HttpCode(202)
  @ApiAcceptedResponse({ description: 'Accepted; a mail is sent when there is a sign-up to verify' })
  @ApiOperation({ operationId: 'resendVerificationEmail' })
  resendVerification(@Body() body: EmailOnlyDto): Promise<void> {
    return this.auth.resendVerification(body.email);
  }

  /** Mails a single-use password reset link valid one hour; the same answer for any email. */
  @PublicAuthRoute()
  @Post('auth/password-reset')
  @HttpCode(202)
  @ApiAcceptedResponse({ description: 'Accepted; a mail is sent when an account has this email' })
  @ApiOperation({ operationId: 'requestPasswordReset' })
  requestPasswordReset(@Body() body: EmailOnlyDto): Promise<void> {
    return this.passwordReset.request(body.email);
  }

  /** Sets a new password with the mailed token; every access token issued before stops working. */
  @PublicAuthRoute()
  @Post('auth/password-reset/confirm')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The new password is set' })
  @ApiOperation({ operationId: 'confirmPasswordReset' })
  @ApiProblems(AuthErrorCode.INVALID_TOKEN)
  confirmPasswordReset(@Body() body: PasswordResetConfirmDto): Promise<void> {
    return this.passwordReset.confirm(body.token, body.password);
  }

  /** Exchanges email and password for a bearer access token. */
  @PublicAuthRoute()
  @Post('auth/login')
  @HttpCode(200)
  @ApiOperation({ operationId: 'logIn' })
  @ApiProblems(AuthErrorCode.INVALID_CREDENTIALS, AuthErrorCode.EMAIL_NOT_VERIFIED)
  login(@Body() body: LoginDto): Promise<TokenResponseDto> {
    return this.auth.login(body);
  }

  /** The caller, with their organizations. */
  @Get('me')
  @AuthorizeCaller()
  @ApiOperation({ operationId: 'getCurrentUser' })
  me(@CurrentPolicy() policy: RequestPolicy): Promise<MeDto> {
    return this.auth.me(policy.ctx.caller.userId);
  }
}
