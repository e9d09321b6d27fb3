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

  it('production requires JWT_SECRET', () => {
    expect(() => AppConfig.load({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET: required/);
  });

  it('reads PLATFORM_ADMIN_EMAILS as a lowercased list', () => {
    expect(AppConfig.load({ PLATFORM_ADMIN_EMAILS: 'A@x.test, b@X.test,' }).PLATFORM_ADMIN_EMAILS).toEqual([
      'a@x.test',
      'b@x.test',
    ]);
  });
});
