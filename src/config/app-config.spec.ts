import { AppConfig } from './app-config';

describe(AppConfig.name, () => {
  it('defaults to development on port 3000 with log mail and embedded PostgreSQL', () => {
    const sut = AppConfig.load({});
    expect(sut).toMatchObject({
      NODE_ENV: 'development',
      PORT: 3000,
      MAIL_TRANSPORT: 'log',
      DATA_DIR: '.data',
    });
    expect(sut.DATABASE_URL).toBeUndefined();
  });

  it('a bad value stops the start with a message naming the variable', () => {
    expect(() => AppConfig.load({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => AppConfig.load({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => AppConfig.load({ MAIL_TRANSPORT: 'pigeon' })).toThrow(/MAIL_TRANSPORT/);
    expect(() => AppConfig.load({ JWT_SECRET: 'short' })).toThrow(/JWT_SECRET/);
  });

  it('refresh tokens live 30 days past their last use and sessions 90 days at most, both configurable', () => {
    expect(AppConfig.load({})).toMatchObject({
      REFRESH_TOKEN_TTL: 2_592_000,
      REFRESH_TOKEN_FAMILY_TTL: 7_776_000,
    });
    expect(AppConfig.load({ REFRESH_TOKEN_TTL: '86400', REFRESH_TOKEN_FAMILY_TTL: '604800' })).toMatchObject({
      REFRESH_TOKEN_TTL: 86_400,
      REFRESH_TOKEN_FAMILY_TTL: 604_800,
    });
    expect(() => AppConfig.load({ REFRESH_TOKEN_TTL: '10' })).toThrow(/REFRESH_TOKEN_TTL/);
    expect(() => AppConfig.load({ REFRESH_TOKEN_FAMILY_TTL: 'forever' })).toThrow(/REFRESH_TOKEN_FAMILY_TTL/);
  });

  it('production requires JWT_SECRET', () => {
    expect(() => AppConfig.load({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET: required/);
  });

  it('production requires WEBHOOK_SECRET_KEY, 32 bytes in base64', () => {
    const production = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) };
    expect(() => AppConfig.load(production)).toThrow(/WEBHOOK_SECRET_KEY: required/);
    expect(() => AppConfig.load({ ...production, WEBHOOK_SECRET_KEY: 'short' })).toThrow(
      /WEBHOOK_SECRET_KEY/,
    );
    const key = Buffer.alloc(32, 1).toString('base64');
    expect(AppConfig.load({ ...production, WEBHOOK_SECRET_KEY: key }).WEBHOOK_SECRET_KEY).toBe(key);
  });

  it('reads WEBHOOK_ALLOW_PRIVATE_TARGETS as CIDR ranges or all, and refuses anything else', () => {
    expect(AppConfig.load({}).WEBHOOK_ALLOW_PRIVATE_TARGETS).toEqual([]);
    expect(
      AppConfig.load({ WEBHOOK_ALLOW_PRIVATE_TARGETS: '127.0.0.1/32, ::1/128' })
        .WEBHOOK_ALLOW_PRIVATE_TARGETS,
    ).toEqual(['127.0.0.1/32', '::1/128']);
    expect(() => AppConfig.load({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'yes' })).toThrow(
      /WEBHOOK_ALLOW_PRIVATE_TARGETS/,
    );
  });

  it('reads PLATFORM_ADMIN_EMAILS as a lowercased list', () => {
    expect(AppConfig.load({ PLATFORM_ADMIN_EMAILS: 'A@x.test, b@X.test,' }).PLATFORM_ADMIN_EMAILS).toEqual([
      'a@x.test',
      'b@x.test',
    ]);
  });

  it('bounds slow clients, queries and the pool by default, and refuses a timeout that is not a number', () => {
    expect(AppConfig.load({})).toMatchObject({
      HTTP_REQUEST_TIMEOUT_MS: 30_000,
      HTTP_CONNECTION_TIMEOUT_MS: 60_000,
      HTTP_KEEP_ALIVE_TIMEOUT_MS: 72_000,
      DB_STATEMENT_TIMEOUT_MS: 15_000,
      DB_POOL_MAX: 10,
      DB_POOL_ACQUIRE_TIMEOUT_MS: 5_000,
      SHUTDOWN_TIMEOUT_MS: 25_000,
    });
    expect(() => AppConfig.load({ DB_STATEMENT_TIMEOUT_MS: 'soon' })).toThrow(/DB_STATEMENT_TIMEOUT_MS/);
    expect(() => AppConfig.load({ DB_POOL_MAX: '0' })).toThrow(/DB_POOL_MAX/);
  });
});
