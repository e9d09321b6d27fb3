import { TestApp } from '../support/test-app';

describe('Service', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  it('health reports the database up', async () => {
    const response = await t.get('/health');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok', database: 'up' });
  });

  it('serves Swagger UI at /docs and the OpenAPI document at /docs/openapi.json', async () => {
    expect((await t.get('/docs')).status).toBe(200);
    const document = await t.get('/docs/openapi.json');
    expect(document.status).toBe(200);
    expect(document.body.openapi).toMatch(/^3\./);
    expect(Object.keys(document.body.paths)).toEqual(
      expect.arrayContaining(['/auth/signup', '/platform/organizations']),
    );
  });

  it('echoes a sane X-Request-Id and makes one up otherwise', async () => {
    const echoed = await t.request('GET', '/health', { headers: { 'x-request-id': 'trace-123' } });
    expect(echoed.headers['x-request-id']).toBe('trace-123');
    const made = await t.request('GET', '/health', { headers: { 'x-request-id': 'bad id\nwith newline' } });
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('Service with the database down', () => {
  it('health answers 503 database down', async () => {
    const t = await TestApp.start();
    await t.orm.close(true);
    const response = await t.get('/health');
    expect(response.status).toBe(503);
    expect(response.body).toEqual({ status: 'degraded', database: 'down' });
    await t.app.close().catch(() => undefined);
  });
});
