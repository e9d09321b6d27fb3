import { asServiceUnavailable } from './service-unavailable';

describe('asServiceUnavailable', () => {
  it.each([
    ['08006', 'connection failure'],
    ['57P01', 'admin shutdown'],
    ['25006', 'read-only transaction: a standby being promoted during a failover'],
  ])('%s (%s) is a 503 with Retry-After', (code) => {
    const error = asServiceUnavailable({ code, message: 'server says no' });
    expect(error?.status).toBe(503);
    expect(error?.extra?.retryAfter).toBeGreaterThan(0);
  });

  it('a constraint violation is not', () => {
    expect(asServiceUnavailable({ code: '23505', message: 'duplicate key' })).toBeUndefined();
  });
});
