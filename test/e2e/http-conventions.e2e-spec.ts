import { createMember, createOrganization } from '../factories/organizations.factory';
import { TestApp } from '../support/test-app';

describe('HTTP conventions: Location, ETag and If-Match, WWW-Authenticate, RateLimit, CORS', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start({ AUTH_RATE_LIMIT_PER_MINUTE: '3', CORS_ORIGINS: 'https://app.example.test' });
  });
  afterAll(() => t.close());

  async function projectOfAnAdmin() {
    const org = await createOrganization(t);
    const admin = await createMember(t, org.id, 'member');
    const created = await t.post('/projects', { title: 'Versioned' }, admin.token);
    return { admin, project: created.body, created };
  }

  it('a 201 names the created resource in Location', async () => {
    const { project, created } = await projectOfAnAdmin();
    expect(created.headers['location']).toBe(`/projects/${project.id}`);
  });

  it('a single-resource read carries a strong ETag that changes when the resource changes', async () => {
    const { admin, project } = await projectOfAnAdmin();
    const before = await t.get(`/projects/${project.id}`, admin.token);
    expect(before.headers['etag']).toMatch(/^"[A-Za-z0-9_-]+"$/);
    await t.patch(`/projects/${project.id}`, { title: 'Renamed' }, admin.token);
    const after = await t.get(`/projects/${project.id}`, admin.token);
    expect(after.headers['etag']).not.toBe(before.headers['etag']);
  });

  it('a read with the current ETag in If-None-Match is 304', async () => {
    const { admin, project } = await projectOfAnAdmin();
    const first = await t.get(`/projects/${project.id}`, admin.token);
    const again = await t.request('GET', `/projects/${project.id}`, {
      token: admin.token,
      headers: { 'if-none-match': String(first.headers['etag']) },
    });
    expect(again.status).toBe(304);
  });

  it('two admins editing one project: the second, with a stale If-Match, is 412 and changes nothing', async () => {
    const { admin, project } = await projectOfAnAdmin();
    const read = await t.get(`/projects/${project.id}`, admin.token);
    const etag = String(read.headers['etag']);
    const first = await t.request('PATCH', `/projects/${project.id}`, {
      token: admin.token,
      body: { title: 'First edit' },
      headers: { 'if-match': etag },
    });
    expect(first.status).toBe(200);
    const second = await t.request('PATCH', `/projects/${project.id}`, {
      token: admin.token,
      body: { title: 'Second edit' },
      headers: { 'if-match': etag },
    });
    expect(second.status).toBe(412);
    expect(second.body.code).toBe('PRECONDITION_FAILED');
    expect((await t.get(`/projects/${project.id}`, admin.token)).body.title).toBe('First edit');
  });

  it('many admins saving from one version at once: exactly one change is kept, the others are 412', async () => {
    const { admin, project } = await projectOfAnAdmin();
    const etag = String((await t.get(`/projects/${project.id}`, admin.token)).headers['etag']);
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        t.request('PATCH', `/projects/${project.id}`, {
          token: admin.token,
          body: { title: `Edit ${i}` },
          headers: { 'if-match': etag },
        }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 412, 412, 412, 412, 412]);
    const kept = answers.find((a) => a.status === 200)!.body.title;
    expect((await t.get(`/projects/${project.id}`, admin.token)).body.title).toBe(kept);
  });

  it('a DELETE with a stale If-Match is 412 and the project stays; with the current one it goes', async () => {
    const { admin, project } = await projectOfAnAdmin();
    const stale = await t.request('DELETE', `/projects/${project.id}`, {
      token: admin.token,
      headers: { 'if-match': '"stale"' },
    });
    expect(stale.status).toBe(412);
    const current = String((await t.get(`/projects/${project.id}`, admin.token)).headers['etag']);
    const deleted = await t.request('DELETE', `/projects/${project.id}`, {
      token: admin.token,
      headers: { 'if-match': current },
    });
    expect(deleted.status).toBe(204);
  });

  it('a 401 says how to authenticate in WWW-Authenticate', async () => {
    const anonymous = await t.get('/me');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toBe('Bearer realm="api"');
    const forged = await t.get('/me', 'not-a-token');
    expect(forged.headers['www-authenticate']).toBe('Bearer realm="api", error="invalid_token"');
  });

  it('rate-limited routes tell the quota left in RateLimit-Limit, -Remaining and -Reset, the 429 too', async () => {
    const login = () =>
      t.request('POST', '/auth/login', {
        body: { email: 'nobody@example.test', password: 'wrong password' },
        headers: { 'x-forwarded-for': '1.1.1.1' },
      });
    const first = await login();
    expect(first.headers['ratelimit-limit']).toBe('3');
    expect(first.headers['ratelimit-remaining']).toBe('2');
    expect(Number(first.headers['ratelimit-reset'])).toBeGreaterThan(0);
    await login();
    await login();
    const refused = await login();
    expect(refused.status).toBe(429);
    expect(refused.headers['ratelimit-remaining']).toBe('0');
  });

  it('CORS answers an allowed origin, exposes the convention headers, and stays closed to others', async () => {
    const preflight = await t.app.inject({
      method: 'OPTIONS',
      url: '/projects',
      headers: {
        origin: 'https://app.example.test',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,idempotency-key',
      },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://app.example.test');
    expect(String(preflight.headers['access-control-allow-headers'])).toContain('Idempotency-Key');
    const read = await t.request('GET', '/health', { headers: { origin: 'https://app.example.test' } });
    expect(read.headers['access-control-allow-origin']).toBe('https://app.example.test');
    expect(String(read.headers['access-control-expose-headers'])).toContain('ETag');
    const other = await t.request('GET', '/health', { headers: { origin: 'https://evil.example.test' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});
