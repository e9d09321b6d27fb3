import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiProblems } from '../../common/api-problems.decorator';
import { OAuthErrorResponses } from '../../common/oauth-errors';
import { AuthErrorCode } from './auth.errors';
import { TokenResponseDto } from './dto/auth-responses.dto';
import { RefreshTokenDto } from './dto/sessions.dto';
import { OAuthTokenRequestDto, OAuthTokenResponseDto } from './dto/token-endpoint.dto';
import { PublicAuthRoute } from './public-auth-route.decorator';
import { SessionsService } from './sessions.service';
import { TokenEndpointService } from './token-endpoint.service';

@ApiTags('auth')
@Controller('auth')
export class SessionsController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly tokenEndpoint: TokenEndpointService,
  ) {}

  /**
   * Spends the refresh token for a new access token and the next refresh token. A token already spent
   * ends its whole session (someone else holds a copy): refresh once at a time.
   */
  @PublicAuthRoute()
  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({ operationId: 'refreshSession' })
  @ApiProblems({ code: AuthErrorCode.INVALID_TOKEN, status: 401 })
  refresh(@Body() body: RefreshTokenDto): Promise<TokenResponseDto> {
    return this.sessions.refresh(body.refreshToken);
  }

  /** Ends the refresh token's session and every access token it issued; the same answer for any token. */
  @PublicAuthRoute()
  @Post('logout')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The session is ended (or there was none)' })
  @ApiOperation({ operationId: 'logOut' })
  logout(@Body() body: RefreshTokenDto): Promise<void> {
    return this.sessions.logout(body.refreshToken);
  }

  /**
   * The OAuth 2.0 token endpoint (RFC 6749), form-encoded: `grant_type=password` (email as
   * `username`), `refresh_token`, or `client_credentials` (a service account key as `client_secret`).
   * Answers and errors are RFC 6749's, not problem details: 400 and 401 carry `error`.
   */
  @PublicAuthRoute()
  @Post('token')
  @HttpCode(200)
  @ApiOperation({ operationId: 'requestToken' })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({ type: OAuthTokenRequestDto })
  @ApiOkResponse({ type: OAuthTokenResponseDto, description: 'RFC 6749 §5.1: the access token' })
  @OAuthErrorResponses()
  token(
    @Body() body: unknown,
    @Headers('content-type') contentType: string | undefined,
    @Headers('authorization') authorization: string | undefined,
  ): Promise<OAuthTokenResponseDto> {
    return this.tokenEndpoint.grant(body, { contentType, authorization });
  }
}
