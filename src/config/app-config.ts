import { applyDecorators } from '@nestjs/common';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateBy,
  validateSync,
} from 'class-validator';
import { InvalidSetting, OidcIssuer, parseOidcIssuers } from './oidc-issuers';

/** A whole number from the environment's text, at least `min` (and at most `max`). */
const WholeNumber = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  applyDecorators(
    Transform(({ value }: { value: unknown }) => (value === undefined ? value : Number(value))),
    IsInt(),
    Min(min),
    Max(max),
  );

/** A setting parsed by `parse` from the environment's text; a text it refuses fails validation with its reason. */
const Parsed = (parse: (text: string) => unknown) =>
  applyDecorators(
    Transform(({ value }: { value: unknown }) => {
      if (typeof value !== 'string') return value;
      try {
        return parse(value);
      } catch (error) {
        return new InvalidSetting((error as Error).message);
      }
    }),
    ValidateBy({
      name: 'parsed',
      validator: {
        validate: (value: unknown) => !(value instanceof InvalidSetting),
        defaultMessage: (args) => (args?.value as InvalidSetting).reason,
      },
    }),
  );

const splitList = ({ value }: { value: unknown }) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((item) => item.trim().toLowerCase())
        .filter(Boolean)
    : value;

/**
 * The service's whole configuration, read once from the environment and validated at boot.
 * Nothing else in the code reads process.env: a bad value stops the start with its name.
 */
export class AppConfig {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @WholeNumber(0, 65535)
  PORT = 3000;

  @IsString()
  HOST = '127.0.0.1';

  /** Unset: an embedded PostgreSQL is started under DATA_DIR. */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  /**
   * Read replicas of DATABASE_URL, comma-separated `postgres://` URLs: list and search routes read
   * from one that has replayed the caller's last write, else from the primary. Empty: no replicas.
   */
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean)
      : value,
  )
  @Matches(/^postgres(ql)?:\/\//, {
    each: true,
    message: 'DATABASE_REPLICA_URLS must be postgres:// URLs, comma-separated',
  })
  DATABASE_REPLICA_URLS: string[] = [];

  @IsString()
  DATA_DIR = '.data';

  /** Required in production; in development generated once and kept under DATA_DIR. */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;

  /** Access token lifetime in seconds. */
  @WholeNumber(60, 60 * 60 * 24 * 30)
  JWT_TTL = 3600;

  /**
   * Refresh token lifetime in seconds (30 days): a session not refreshed for this long ends. Each
   * refresh answers a new token with this lifetime again, never beyond REFRESH_TOKEN_FAMILY_TTL.
   */
  @WholeNumber(60, 60 * 60 * 24 * 365)
  REFRESH_TOKEN_TTL = 60 * 60 * 24 * 30;

  /** Absolute lifetime of a session in seconds (90 days) from login, however often it is refreshed. */
  @WholeNumber(60, 60 * 60 * 24 * 365 * 2)
  REFRESH_TOKEN_FAMILY_TTL = 60 * 60 * 24 * 90;

  /** `log`, `file:<dir>` or an `smtp://` / `smtps://` URL. */
  @Matches(/^(log|file:.+|smtps?:\/\/.+)$/, {
    message: 'MAIL_TRANSPORT must be log, file:<dir> or an smtp:// URL',
  })
  MAIL_TRANSPORT = 'log';

  @IsString()
  MAIL_FROM = 'no-reply@localhost';

  /** Base of links in mails, e.g. https://app.example.com/ */
  @Matches(/^https?:\/\/.+/, { message: 'PUBLIC_URL must be an http(s) URL' })
  PUBLIC_URL = 'http://localhost:3000/';

  @Transform(splitList)
  @IsString({ each: true })
  PLATFORM_ADMIN_EMAILS: string[] = [];

  /** Seconds an invitation holds: an invited person who signs up later than this gets nothing from it. */
  @WholeNumber(1)
  INVITATION_TTL = 14 * 24 * 60 * 60;

  /** Requests a minute to the public auth routes, per client IP and per email. */
  @WholeNumber(1)
  AUTH_RATE_LIMIT_PER_MINUTE = 20;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** Projects an organization may hold; the same number again for datasets, and for ontologies. */
  @WholeNumber(1)
  QUOTA_RESOURCES_PER_ORGANIZATION = 10000;

  @WholeNumber(1)
  QUOTA_TAGS_PER_ORGANIZATION = 1000;

  @WholeNumber(1)
  QUOTA_GROUPS_PER_ORGANIZATION = 1000;

  /** How often each instance removes expired access and sends expiry warnings; 0: never. */
  @WholeNumber(0)
  EXPIRY_SWEEP_INTERVAL_MS = 60_000;

  /** Days before an expiry that the organization's admins are warned by mail. */
  @WholeNumber(1, 365)
  EXPIRY_WARNING_DAYS = 7;

  /** Time a client has to send a whole request (headers and body): a stalled upload is cut. */
  @WholeNumber(100)
  HTTP_REQUEST_TIMEOUT_MS = 30_000;

  /** A socket with no traffic for this long is closed, whatever it is doing. */
  @WholeNumber(100)
  HTTP_CONNECTION_TIMEOUT_MS = 60_000;

  /** An idle keep-alive connection is closed after this long; above the 60 s of common load balancers. */
  @WholeNumber(100)
  HTTP_KEEP_ALIVE_TIMEOUT_MS = 72_000;

  /** PostgreSQL's statement_timeout for every query the service runs (not migrations). */
  @WholeNumber(100)
  DB_STATEMENT_TIMEOUT_MS = 15_000;

  /** Connections in the pool. */
  @WholeNumber(1, 1000)
  DB_POOL_MAX = 10;

  /** How long a request waits for a free connection before it is answered 503. */
  @WholeNumber(100)
  DB_POOL_ACQUIRE_TIMEOUT_MS = 5_000;

  /** On SIGTERM, how long in-flight requests may take to finish before their connections are cut. */
  @WholeNumber(0)
  SHUTDOWN_TIMEOUT_MS = 25_000;

  /**
   * Browser origins allowed to call the API (CORS), comma-separated, e.g.
   * `https://app.example.com,https://admin.example.com`. Empty: no cross-origin access.
   */
  @Transform(({ value }) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((item) => item.trim().replace(/\/$/, ''))
          .filter(Boolean)
      : value,
  )
  @Matches(/^https?:\/\/[^/\s]+$/, {
    each: true,
    message: 'CORS_ORIGINS must be http(s) origins (scheme and host only)',
  })
  CORS_ORIGINS: string[] = [];

  @WholeNumber(1)
  QUOTA_WEBHOOKS_PER_ORGANIZATION = 20;

  /**
   * Key that encrypts webhook signing secrets at rest: 32 bytes in base64. Required in production; in
   * development generated once and kept under DATA_DIR.
   */
  @IsOptional()
  @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'WEBHOOK_SECRET_KEY must be 32 bytes in base64' })
  WEBHOOK_SECRET_KEY?: string;

  /**
   * Private, loopback, link-local and other internal addresses that webhooks may target anyway:
   * comma-separated CIDR ranges (`127.0.0.1/32,::1/128`), or `all`. Empty: every one is refused.
   */
  @Transform(splitList)
  @Matches(/^(all|[0-9a-f:.]+\/\d{1,3})$/, {
    each: true,
    message: 'WEBHOOK_ALLOW_PRIVATE_TARGETS must be CIDR ranges or all',
  })
  WEBHOOK_ALLOW_PRIVATE_TARGETS: string[] = [];

  /** A delivery attempt is cut after this long (connection, request and answer together). */
  @WholeNumber(100, 60_000)
  WEBHOOK_TIMEOUT_MS = 5_000;

  /** How often each instance looks for due deliveries; 0 runs no delivery worker in this instance. */
  @WholeNumber(0)
  WEBHOOK_POLL_INTERVAL_MS = 1_000;

  /** The wait before the first retry; each next one doubles it (with jitter), up to WEBHOOK_RETRY_MAX_DELAY_MS. */
  @WholeNumber(1)
  WEBHOOK_RETRY_BASE_DELAY_MS = 30_000;

  @WholeNumber(1)
  WEBHOOK_RETRY_MAX_DELAY_MS = 3_600_000;

  /** How long a delivery is retried before it is given up as failed. */
  @WholeNumber(1)
  WEBHOOK_RETRY_WINDOW_MS = 86_400_000;

  /** After a rotation, how long the previous secret still signs alongside the new one. */
  @WholeNumber(0)
  WEBHOOK_SECRET_ROTATION_GRACE_MS = 86_400_000;
  /**
   * Identity providers whose tokens are accepted as bearer tokens beside our own, a JSON array:
   * `[{"issuer":"https://login.example.com/","audience":"orgs-api","jwksUrl":"https://login.example.com/jwks",
   * "algorithms":["RS256"]}]` (see `parseOidcIssuers` and the README's "Trust your identity provider").
   */
  @Parsed(parseOidcIssuers)
  OIDC_ISSUERS: OidcIssuer[] = [];

  static load(env: NodeJS.ProcessEnv = process.env): AppConfig {
    const present = Object.fromEntries(
      Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
    );
    const config = plainToInstance(AppConfig, present, { exposeDefaultValues: true });
    const errors = validateSync(config, { whitelist: false });
    if (errors.length > 0) {
      const lines = errors.map(
        (error) => `  ${error.property}: ${Object.values(error.constraints ?? {}).join('; ')}`,
      );
      throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
    }
    if (config.NODE_ENV === 'production' && !config.JWT_SECRET) {
      throw new Error('Invalid configuration:\n  JWT_SECRET: required when NODE_ENV=production');
    }
    if (config.NODE_ENV === 'production' && !config.WEBHOOK_SECRET_KEY) {
      throw new Error('Invalid configuration:\n  WEBHOOK_SECRET_KEY: required when NODE_ENV=production');
    }
    return config;
  }
}
