import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';

export const GRANT_TYPES = ['password', 'refresh_token', 'client_credentials'] as const;
export type GrantType = (typeof GRANT_TYPES)[number];

/**
 * The token request, form-encoded (RFC 6749 §4.3, §4.4, §6). Documentation only: the endpoint reads
 * the form itself, as RFC 6749 wants (unknown parameters ignored, a repeated one refused).
 */
@ApiSchema({
  name: 'OAuthTokenRequest',
  description:
    'An OAuth 2.0 token request (`application/x-www-form-urlencoded`). `password`: `username` (the email) and ' +
    '`password`. `refresh_token`: `refresh_token`. `client_credentials`: a service account key as ' +
    '`client_secret` (and its `client_id`), in the form or as HTTP Basic authentication.',
})
export class OAuthTokenRequestDto {
  @ApiProperty({ enum: GRANT_TYPES, example: 'password' })
  grant_type: GrantType;

  @ApiPropertyOptional({
    description: '`password` grant: the email.',
    maxLength: 254,
    example: 'ada@acme.com',
  })
  username?: string;

  @ApiPropertyOptional({ description: '`password` grant: the password.', maxLength: 200 })
  password?: string;

  @ApiPropertyOptional({ description: '`refresh_token` grant: the refresh token to spend.', maxLength: 200 })
  refresh_token?: string;

  @ApiPropertyOptional({ description: '`client_credentials` grant: the service account.', maxLength: 200 })
  client_id?: string;

  @ApiPropertyOptional({
    description: '`client_credentials` grant: a key of the service account.',
    maxLength: 200,
  })
  client_secret?: string;

  @ApiPropertyOptional({ description: 'No scopes are defined: leave it out or empty.', maxLength: 200 })
  scope?: string;
}

@ApiSchema({ name: 'OAuthTokenResponse', description: 'An RFC 6749 §5.1 access token answer.' })
export class OAuthTokenResponseDto {
  /** For `Authorization: Bearer`. */
  access_token: string;

  @ApiProperty({ enum: ['Bearer'] })
  token_type: 'Bearer';

  /** Seconds until the access token expires. */
  expires_in: number;

  /** Single use, rotated by `grant_type=refresh_token`; not issued for client credentials. */
  @ApiPropertyOptional()
  refresh_token?: string;
}
