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
  validateSync,
} from 'class-validator';

/** A whole number from the environment's text, at least `min` (and at most `max`). */
const WholeNumber = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  applyDecorators(
    Transform(({ value }: { value: unknown }) => (value === undefined ? value : Number(value))),
    IsInt(),
    Min(min),
    Max(max),
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
    return config;
  }
}
