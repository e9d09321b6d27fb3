import { Injectable } from '@nestjs/common';
import { AppError, CommonErrorCode } from '../../common/app-error';
import { OAuthError } from '../../common/oauth-errors';
import { normalizeEmail } from '../users/users.service';
import { AuthErrorCode } from './auth.errors';
import { AuthService } from './auth.service';
import { ClientCredentialsVerifiers } from './client-credentials';
import { TokenResponseDto } from './dto/auth-responses.dto';
import { GRANT_TYPES, GrantType, OAuthTokenResponseDto } from './dto/token-endpoint.dto';
import { SessionsService } from './sessions.service';

const FORM = 'application/x-www-form-urlencoded';
const PARAMETERS = [
  'grant_type',
  'username',
  'password',
  'refresh_token',
  'client_id',
  'client_secret',
  'scope',
];
/** Longest value of any parameter: an email is 254, a refresh token 47, a password or key at most 200. */
const MAX_VALUE_LENGTH = 1024;

type Form = Partial<Record<(typeof PARAMETERS)[number], string>>;

/** What the token request carried besides its form. */
export interface TokenRequestContext {
  contentType: string | undefined;
  authorization: string | undefined;
}

/**
 * The OAuth 2.0 token endpoint (RFC 6749 §3.2): the same sign-in, refresh and sessions as
 * `/auth/login` and `/auth/refresh`, in the protocol's form-encoded requests and answers. All
 * clients are public (no client registration) except for client credentials, where the client is a
 * service account authenticated by one of its keys.
 */
@Injectable()
export class TokenEndpointService {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionsService,
    private readonly verifiers: ClientCredentialsVerifiers,
  ) {}

  async grant(body: unknown, context: TokenRequestContext): Promise<OAuthTokenResponseDto> {
    const mediaType = context.contentType?.split(';')[0].trim().toLowerCase();
    if (mediaType !== undefined && mediaType !== FORM) {
      throw new AppError(CommonErrorCode.UNSUPPORTED_MEDIA_TYPE, `The token endpoint takes ${FORM} only`);
    }
    const form = readForm(body);
    if (!form.grant_type) throw new OAuthError('invalid_request', 'grant_type is required');
    if (!(GRANT_TYPES as readonly string[]).includes(form.grant_type)) {
      throw new OAuthError('unsupported_grant_type', `grant_type must be one of ${GRANT_TYPES.join(', ')}`);
    }
    if (form.scope?.trim()) throw new OAuthError('invalid_scope', 'This server defines no scopes');
    switch (form.grant_type as GrantType) {
      case 'password':
        return asOAuth(await this.password(form));
      case 'refresh_token':
        return asOAuth(await this.refresh(form));
      case 'client_credentials':
        return asOAuth(await this.clientCredentials(form, context.authorization));
    }
  }

  private async password(form: Form): Promise<TokenResponseDto> {
    const username = required(form, 'username');
    const password = required(form, 'password');
    try {
      return await this.auth.login({ email: normalizeEmail(username), password });
    } catch (error) {
      throw asInvalidGrant(error, [AuthErrorCode.INVALID_CREDENTIALS, AuthErrorCode.EMAIL_NOT_VERIFIED]);
    }
  }

  private async refresh(form: Form): Promise<TokenResponseDto> {
    const refreshToken = required(form, 'refresh_token');
    try {
      return await this.sessions.refresh(refreshToken);
    } catch (error) {
      throw asInvalidGrant(error, [AuthErrorCode.INVALID_TOKEN]);
    }
  }

  /** RFC 6749 §4.4, with the client authenticated by HTTP Basic or by the form (§2.3.1), not both. */
  private async clientCredentials(
    form: Form,
    authorization: string | undefined,
  ): Promise<Omit<TokenResponseDto, 'refreshToken'>> {
    const verifier = this.verifiers.current;
    if (!verifier) {
      throw new OAuthError('unsupported_grant_type', 'client_credentials is not enabled on this server');
    }
    const basic = basicCredentials(authorization);
    if (basic && (form.client_id !== undefined || form.client_secret !== undefined)) {
      throw new OAuthError(
        'invalid_request',
        'Authenticate the client with HTTP Basic or with the form, not both',
      );
    }
    const clientId = basic?.clientId ?? form.client_id ?? '';
    const clientSecret = basic?.clientSecret ?? form.client_secret;
    const principal = clientSecret ? await verifier.verify(clientId, clientSecret) : undefined;
    if (!principal) throw new OAuthError('invalid_client', 'Client authentication failed');
    return this.sessions.accessToken(principal);
  }
}

/**
 * The form's known parameters. RFC 6749 §3.2: unknown parameters are ignored, a parameter sent twice
 * is `invalid_request`; so is a value too long to be one this server issued or accepts.
 */
function readForm(body: unknown): Form {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body))
    throw new OAuthError('invalid_request', 'The form is malformed');
  const fields = body as Record<string, unknown>;
  const form: Form = {};
  for (const name of PARAMETERS) {
    if (!Object.prototype.hasOwnProperty.call(fields, name)) continue;
    const value = fields[name];
    if (typeof value !== 'string')
      throw new OAuthError('invalid_request', `${name} is repeated or malformed`);
    if (value.length > MAX_VALUE_LENGTH) throw new OAuthError('invalid_request', `${name} is too long`);
    form[name] = value;
  }
  return form;
}

function required(form: Form, name: (typeof PARAMETERS)[number]): string {
  const value = form[name];
  if (!value) throw new OAuthError('invalid_request', `${name} is required`);
  return value;
}

/** An Authorization header's Basic credentials (each part form-encoded, RFC 6749 §2.3.1). */
function basicCredentials(
  header: string | undefined,
): { clientId: string; clientSecret: string } | undefined {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new OAuthError('invalid_client', 'Client authentication failed');
  try {
    const decode = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '));
    return { clientId: decode(decoded.slice(0, colon)), clientSecret: decode(decoded.slice(colon + 1)) };
  } catch {
    throw new OAuthError('invalid_client', 'Client authentication failed');
  }
}

/** A refused credential of the grant is `invalid_grant`, with the same text as the JSON routes. */
function asInvalidGrant(error: unknown, codes: string[]): unknown {
  return error instanceof AppError && codes.includes(error.code)
    ? new OAuthError('invalid_grant', error.detail)
    : error;
}

function asOAuth(
  tokens: Omit<TokenResponseDto, 'refreshToken'> & { refreshToken?: string },
): OAuthTokenResponseDto {
  return {
    access_token: tokens.accessToken,
    token_type: tokens.tokenType,
    expires_in: tokens.expiresIn,
    ...(tokens.refreshToken ? { refresh_token: tokens.refreshToken } : {}),
  };
}
