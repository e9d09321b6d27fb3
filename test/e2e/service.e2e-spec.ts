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
  it('health answers 503 problem details with Retry-After', async () => {
    const t = await TestApp.start();
    await t.orm.close(true);
    const response = await t.get('/health');
    expect(response.status).toBe(503);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.headers['retry-after']).toMatch(/^[1-9][0-9]*$/);
    expect(response.body).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    expect(response.body.retryAfter).toBe(Number(response.headers['retry-after']));
    await t.app.close().catch(() => undefined);
  });
});

describe('Security headers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  const expectHardened = (headers: Record<string, unknown>) => {
    expect(headers['strict-transport-security']).toMatch(/max-age=\d{8,}; includeSubDomains/);
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['referrer-policy']).toBe('no-referrer');
    expect(headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
  };

  it('an API answer carries them, with a policy that lets nothing load', async () => {
    const response = await t.get('/health');
    expectHardened(response.headers);
    expect(response.headers['content-security-policy']).toMatch(/^default-src 'none'/);
  });

  it('an answer carries the whole set, as helmet set it', async () => {
    const response = await t.get('/health');
    const security = Object.fromEntries(
      Object.entries(response.headers).filter(([name]) =>
        /^(content-security-policy|cross-origin-|origin-agent-cluster|referrer-policy|strict-transport-security|x-(content-type-options|dns-prefetch-control|download-options|frame-options|permitted-cross-domain-policies|xss-protection|powered-by))/.test(
          name,
        ),
      ),
    );
    expect(security).toEqual({
      'content-security-policy':
        "default-src 'none';base-uri 'none';form-action 'none';frame-ancestors 'none'",
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
      'origin-agent-cluster': '?1',
      'referrer-policy': 'no-referrer',
      'strict-transport-security': 'max-age=63072000; includeSubDomains',
      'x-content-type-options': 'nosniff',
      'x-dns-prefetch-control': 'off',
      'x-download-options': 'noopen',
      'x-frame-options': 'DENY',
      'x-permitted-cross-domain-policies': 'none',
      'x-xss-protection': '0',
    });
  });

  it('an error answer carries them too', async () => {
    const unauthenticated = await t.get('/me');
    expect(unauthenticated.status).toBe(401);
    expectHardened(unauthenticated.headers);
    const unknownRoute = await t.get('/no-such-route');
    expect(unknownRoute.status).toBe(404);
    expectHardened(unknownRoute.headers);
    const malformed = await t.request('POST', '/auth/login', {
      body: '{"email":',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    expectHardened(malformed.headers);
  });

  it('Swagger UI gets a policy it runs under: its scripts are files of this origin, its styles inline', async () => {
    const page = await t.get('/docs');
    expect(page.status).toBe(200);
    expectHardened(page.headers);
    const csp = String(page.headers['content-security-policy']);
    const html = String(page.body);
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      // No inline script: script-src 'self' is enough, and every script is served from here.
      expect(body.trim()).toBe('');
      const src = new URL(/src=["']([^"']+)["']/.exec(attributes)?.[1] ?? '', 'http://localhost/docs');
      expect(src.origin).toBe('http://localhost');
      expect((await t.get(src.pathname)).status).toBe(200);
    }
    expect(csp).toMatch(/script-src 'self'/);
    expect(csp).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline/);
    if (/<style|style="/.test(html)) expect(csp).toMatch(/style-src[^;]*'unsafe-inline'/);
    expect(csp).toMatch(/connect-src 'self'/);
  });
});
