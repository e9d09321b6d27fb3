import { createHash } from 'node:crypto';
import { createUser, DEFAULT_PASSWORD, mailedToken, TestUser, uniqueEmail } from '../factories/users.factory';
import { createOrganization, TestOrganization } from '../factories/organizations.factory';
import { createServiceAccount, keysUrl, TestServiceAccount } from '../factories/service-accounts.factory';
import { auditEvents } from '../support/audit-log';
import { TestApp } from '../support/test-app';

const FORM = 'application/x-www-form-urlencoded';
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** Sessions that last: refresh tokens rotated on every use, logout, and the OAuth 2.0 token endpoint. */
describe('Auth: sessions, refresh tokens and the token endpoint', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  const login = async (user: TestUser) => {
    const answer = await t.post('/auth/login', { email: user.email, password: DEFAULT_PASSWORD });
    expect(answer.status).toBe(200);
    return answer.body as { accessToken: string; refreshToken: string; tokenType: string; expiresIn: number };
  };
  const refresh = (refreshToken: string) => t.post('/auth/refresh', { refreshToken });
  const logout = (refreshToken: string) => t.post('/auth/logout', { refreshToken });
  const me = (accessToken: string) => t.get('/me', accessToken);
  const tokenRequest = (form: Record<string, string> | string, headers: Record<string, string> = {}) =>
    t.inject({
      method: 'POST',
      url: '/auth/token',
      headers: { 'content-type': FORM, ...headers },
      payload: typeof form === 'string' ? form : new URLSearchParams(form).toString(),
    });
  const sessionsOf = (userId: string) =>
    t.sql<{ revoked_reason: string | null }>(
      'select revoked_reason from refresh_token_families where user_id = ? order by created_at',
      [userId],
    );

  describe('login and refresh', () => {
    it('login answers an access token and an opaque refresh token, stored only as its hash', async () => {
      const user = await createUser(t);
      const tokens = await login(user);
      expect(tokens).toEqual({
        accessToken: expect.any(String),
        refreshToken: expect.stringMatching(/^ort_[A-Za-z0-9_-]{43}$/),
        tokenType: 'Bearer',
        expiresIn: 3600,
      });
      const rows = await t.sql<{ token_hash: string; lifetime: number; family_lifetime: number }>(
        `select t.token_hash, extract(epoch from t.expires_at - t.created_at)::int as lifetime,
                extract(epoch from f.expires_at - f.created_at)::int as family_lifetime
           from refresh_tokens t join refresh_token_families f on f.id = t.family_id where f.user_id = ?`,
        [user.id],
      );
      expect(rows).toEqual([
        { token_hash: sha256(tokens.refreshToken), lifetime: 30 * 86400, family_lifetime: 90 * 86400 },
      ]);
      expect((await me(tokens.accessToken)).status).toBe(200);
    });

    it('a refresh answers a new access token and a new refresh token, and spends the old one', async () => {
      const user = await createUser(t);
      const first = await login(user);
      const second = await refresh(first.refreshToken);
      expect(second.status).toBe(200);
      expect(second.headers['cache-control']).toBe('no-store');
      expect(second.body).toEqual({
        accessToken: expect.any(String),
        refreshToken: expect.stringMatching(/^ort_/),
        tokenType: 'Bearer',
        expiresIn: 3600,
      });
      expect(second.body.refreshToken).not.toBe(first.refreshToken);
      expect((await me(second.body.accessToken)).body.id).toBe(user.id);
      const third = await refresh(second.body.refreshToken);
      expect(third.status).toBe(200);
    });

    it('a spent refresh token presented again ends the whole session: its newest refresh token and its access tokens', async () => {
      const user = await createUser(t);
      const first = await login(user);
      const second = await refresh(first.refreshToken);
      expect(second.status).toBe(200);

      const replayed = await refresh(first.refreshToken);
      expect(replayed.status).toBe(401);
      expect(replayed.body).toMatchObject({ status: 401, code: 'INVALID_TOKEN' });

      expect((await refresh(second.body.refreshToken)).status).toBe(401);
      expect((await me(second.body.accessToken)).status).toBe(401);
      expect((await me(first.accessToken)).status).toBe(401);
      expect(await sessionsOf(user.id)).toEqual([{ revoked_reason: 'reuse' }]);
      const audit = await auditEvents(t, { targetId: user.id, action: 'user.session_revoked' });
      expect(audit).toEqual([
        expect.objectContaining({
          actorId: null,
          targetType: 'user',
          data: { sessionId: expect.any(String), reason: 'reuse' },
        }),
      ]);
    });

    it('reuse ends only that session: another login of the same user keeps working', async () => {
      const user = await createUser(t);
      const stolen = await login(user);
      const other = await login(user);
      await refresh(stolen.refreshToken);
      expect((await refresh(stolen.refreshToken)).status).toBe(401);
      expect((await me(other.accessToken)).status).toBe(200);
      expect((await refresh(other.refreshToken)).status).toBe(200);
    });

    it('two refreshes with the same token at once: exactly one succeeds, the other is reuse and ends the session', async () => {
      const user = await createUser(t);
      const tokens = await login(user);
      const answers = await Promise.all([refresh(tokens.refreshToken), refresh(tokens.refreshToken)]);
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 401]);
      const winner = answers.find((answer) => answer.status === 200)!;
      expect((await refresh(winner.body.refreshToken)).status).toBe(401);
      expect(await sessionsOf(user.id)).toEqual([{ revoked_reason: 'reuse' }]);
      const [{ live }] = await t.sql<{ live: number }>(
        `select count(*)::int as live from refresh_tokens t join refresh_token_families f on f.id = t.family_id
          where f.user_id = ? and t.used_at is null`,
        [user.id],
      );
      expect(live).toBe(1);
    });

    it('an expired refresh token is refused and revokes nothing', async () => {
      const user = await createUser(t);
      const tokens = await login(user);
      await t.sql(`update refresh_tokens set expires_at = now() - interval '1 second' where token_hash = ?`, [
        sha256(tokens.refreshToken),
      ]);
      const answer = await refresh(tokens.refreshToken);
      expect(answer.status).toBe(401);
      expect(answer.body.code).toBe('INVALID_TOKEN');
      expect(await sessionsOf(user.id)).toEqual([{ revoked_reason: null }]);
    });

    it('a session ends at its absolute lifetime however recently it was refreshed; refreshed tokens never outlive it', async () => {
      const user = await createUser(t);
      const tokens = await login(user);
      await t.sql(
        `update refresh_token_families set expires_at = now() + interval '1 hour' where user_id = ?`,
        [user.id],
      );
      const refreshed = await refresh(tokens.refreshToken);
      expect(refreshed.status).toBe(200);
      const [row] = await t.sql<{ capped: boolean }>(
        `select t.expires_at = f.expires_at as capped from refresh_tokens t
           join refresh_token_families f on f.id = t.family_id where t.token_hash = ?`,
        [sha256(refreshed.body.refreshToken)],
      );
      expect(row.capped).toBe(true);
      await t.sql(
        `update refresh_token_families set expires_at = now() - interval '1 second' where user_id = ?`,
        [user.id],
      );
      expect((await refresh(refreshed.body.refreshToken)).status).toBe(401);
    });

    it('an unknown or malformed refresh token is 401, or 400 when it is not a string', async () => {
      expect((await refresh('ort_unknown')).body).toMatchObject({ status: 401, code: 'INVALID_TOKEN' });
      expect((await t.post('/auth/refresh', {})).body.code).toBe('VALIDATION_FAILED');
      expect((await t.post('/auth/refresh', { refreshToken: 7 })).status).toBe(400);
      expect((await t.post('/auth/refresh', { refreshToken: 'x', extra: 1 })).status).toBe(400);
    });

    it('a password reset ends every refresh token issued before it', async () => {
      const user = await createUser(t);
      const tokens = await login(user);
      expect((await t.post('/auth/password-reset', { email: user.email })).status).toBe(202);
      const token = await mailedToken(t, user.email, 'reset-password');
      expect(
        (await t.post('/auth/password-reset/confirm', { token, password: 'a brand new password' })).status,
      ).toBe(204);
      expect((await refresh(tokens.refreshToken)).status).toBe(401);
      expect((await me(tokens.accessToken)).status).toBe(401);
      // Not a reuse: the session simply ended.
      expect(await sessionsOf(user.id)).toEqual([{ revoked_reason: null }]);
    });
  });

  describe('logout', () => {
    it('ends the session: its refresh token and its access tokens stop working; it is audited once; repeating it changes nothing', async () => {
      const user = await createUser(t);
      const tokens = await login(user);
      const other = await login(user);
      const answer = await logout(tokens.refreshToken);
      expect(answer.status).toBe(204);
      expect(answer.body).toBeUndefined();
      expect((await refresh(tokens.refreshToken)).status).toBe(401);
      expect((await me(tokens.accessToken)).status).toBe(401);
      expect((await me(other.accessToken)).status).toBe(200);

      expect((await logout(tokens.refreshToken)).status).toBe(204);
      const audit = await auditEvents(t, { targetId: user.id, action: 'user.logged_out' });
      expect(audit).toEqual([
        expect.objectContaining({ actorId: user.id, data: { sessionId: expect.any(String) } }),
      ]);
      // Logging out is not reuse: the session is not reported as stolen.
      expect(await auditEvents(t, { targetId: user.id, action: 'user.session_revoked' })).toEqual([]);
    });

    it('with an unknown token is the same 204', async () => {
      expect((await logout('ort_never-issued')).status).toBe(204);
    });

    it('with a spent token ends the session it belonged to', async () => {
      const user = await createUser(t);
      const tokens = await login(user);
      const next = await refresh(tokens.refreshToken);
      expect((await logout(tokens.refreshToken)).status).toBe(204);
      expect((await refresh(next.body.refreshToken)).status).toBe(401);
    });

    it('a new login forgets the sessions that ended', async () => {
      const user = await createUser(t);
      await logout((await login(user)).refreshToken);
      await login(user);
      expect(await sessionsOf(user.id)).toEqual([{ revoked_reason: null }]);
    });
  });

  describe('POST /auth/token (OAuth 2.0, RFC 6749)', () => {
    const expectOAuthError = (
      answer: Awaited<ReturnType<typeof tokenRequest>>,
      status: number,
      error: string,
    ) => {
      expect([answer.statusCode, answer.json()]).toEqual([
        status,
        { error, error_description: expect.any(String) },
      ]);
      expect(answer.headers['content-type']).toMatch(/^application\/json/);
      expect(answer.headers['cache-control']).toBe('no-store');
      expect(answer.headers.pragma).toBe('no-cache');
    };

    it('the password grant answers RFC 6749 §5.1 tokens, not to be cached, of a session like login', async () => {
      const user = await createUser(t);
      const answer = await tokenRequest({
        grant_type: 'password',
        username: user.email,
        password: DEFAULT_PASSWORD,
      });
      expect(answer.statusCode).toBe(200);
      expect(answer.headers['cache-control']).toBe('no-store');
      expect(answer.headers.pragma).toBe('no-cache');
      const body = answer.json();
      expect(body).toEqual({
        access_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 3600,
        refresh_token: expect.stringMatching(/^ort_/),
      });
      expect((await me(body.access_token)).body.id).toBe(user.id);

      const refreshed = await tokenRequest({
        grant_type: 'refresh_token',
        refresh_token: body.refresh_token,
      });
      expect(refreshed.statusCode).toBe(200);
      expect(refreshed.json().refresh_token).not.toBe(body.refresh_token);
      // The same sessions as the JSON routes: the token endpoint's refresh token rotates there too.
      expect((await refresh(refreshed.json().refresh_token)).status).toBe(200);
    });

    it('takes the email in any case, ignores parameters it does not know and a client authentication it does not need', async () => {
      const user = await createUser(t);
      const answer = await tokenRequest(
        {
          grant_type: 'password',
          username: user.email.toUpperCase(),
          password: DEFAULT_PASSWORD,
          foo: 'bar',
          scope: '',
        },
        { authorization: `Basic ${Buffer.from(':').toString('base64')}` },
      );
      expect(answer.statusCode).toBe(200);
    });

    it('a wrong password and an unknown email are the same invalid_grant', async () => {
      const user = await createUser(t);
      const wrong = await tokenRequest({
        grant_type: 'password',
        username: user.email,
        password: 'not the password',
      });
      const unknown = await tokenRequest({
        grant_type: 'password',
        username: uniqueEmail(),
        password: 'whatever!!',
      });
      expectOAuthError(wrong, 400, 'invalid_grant');
      expect(unknown.json()).toEqual(wrong.json());
    });

    it('the right password of a sign-up not yet verified is invalid_grant saying so', async () => {
      const email = uniqueEmail();
      expect(
        (await t.post('/auth/signup', { email, password: DEFAULT_PASSWORD, name: 'Pending' })).status,
      ).toBe(201);
      const answer = await tokenRequest({
        grant_type: 'password',
        username: email,
        password: DEFAULT_PASSWORD,
      });
      expectOAuthError(answer, 400, 'invalid_grant');
      expect(answer.json().error_description).toMatch(/verify your email/i);
    });

    it('a spent refresh token is invalid_grant and ends its session', async () => {
      const user = await createUser(t);
      const tokens = await login(user);
      const next = await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refreshToken });
      expect(next.statusCode).toBe(200);
      expectOAuthError(
        await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refreshToken }),
        400,
        'invalid_grant',
      );
      expectOAuthError(
        await tokenRequest({ grant_type: 'refresh_token', refresh_token: next.json().refresh_token }),
        400,
        'invalid_grant',
      );
      expect(await sessionsOf(user.id)).toEqual([{ revoked_reason: 'reuse' }]);
    });

    it.each([
      ['no grant_type', { username: 'a@b.test', password: 'x' }, 'invalid_request'],
      ['an empty body', {}, 'invalid_request'],
      ['an unknown grant_type', { grant_type: 'authorization_code', code: 'x' }, 'unsupported_grant_type'],
      [
        'the password grant without a password',
        { grant_type: 'password', username: 'a@b.test' },
        'invalid_request',
      ],
      ['the password grant without a username', { grant_type: 'password', password: 'x' }, 'invalid_request'],
      ['the refresh grant without a refresh_token', { grant_type: 'refresh_token' }, 'invalid_request'],
      [
        'a scope',
        { grant_type: 'password', username: 'a@b.test', password: 'x', scope: 'admin' },
        'invalid_scope',
      ],
      [
        'an over-long value',
        { grant_type: 'password', username: 'a@b.test', password: 'x'.repeat(2000) },
        'invalid_request',
      ],
    ])('%s is refused as RFC 6749 says', async (_name, form, error) => {
      expectOAuthError(await tokenRequest(form as Record<string, string>), 400, error);
    });

    it('a repeated parameter is invalid_request', async () => {
      expectOAuthError(
        await tokenRequest('grant_type=password&grant_type=refresh_token&username=a%40b.test&password=x'),
        400,
        'invalid_request',
      );
    });

    it('a malformed form (a NUL byte) is invalid_request, refused before any SQL', async () => {
      expectOAuthError(
        await tokenRequest('grant_type=password&username=a%00b%40c.test&password=x'),
        400,
        'invalid_request',
      );
    });

    it.each([
      ['application/json', JSON.stringify({ grant_type: 'password', username: 'a@b.test', password: 'x' })],
      ['text/plain', 'grant_type=password'],
      ['application/xml', '<grant_type>password</grant_type>'],
    ])('a %s body is 415 problem details, as on every route', async (contentType, payload) => {
      const answer = await t.inject({
        method: 'POST',
        url: '/auth/token',
        headers: { 'content-type': contentType },
        payload,
      });
      expect(answer.statusCode).toBe(415);
      expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(answer.json().code).toBe('UNSUPPORTED_MEDIA_TYPE');
    });

    describe('client_credentials: a service account trades its API key for an access token', () => {
      let org: TestOrganization;
      let service: TestServiceAccount;
      let SECRET: string;
      const basic = (id: string, secret: string) =>
        `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
      beforeAll(async () => {
        org = await createOrganization(t);
        service = await createServiceAccount(t, org, 'member');
        SECRET = service.token;
      });

      it('the access token acts as the service account, with its rights in its organization', async () => {
        const answer = await tokenRequest({ grant_type: 'client_credentials', client_secret: SECRET });
        expect(answer.statusCode).toBe(200);
        const members = await t.get(`/organizations/${org.id}/members`, answer.json().access_token);
        expect(members.status).toBe(200);
        const other = await createOrganization(t);
        expect((await t.get(`/organizations/${other.id}/members`, answer.json().access_token)).status).toBe(404);
      });

      it('a revoked key is invalid_client, and tokens traded for it before end with it', async () => {
        const account = await createServiceAccount(t, org, 'member');
        const before = (await tokenRequest({ grant_type: 'client_credentials', client_secret: account.token })).json();
        expect((await me(before.access_token)).status).toBe(200);
        expect((await t.delete(`${keysUrl(org, account)}/${account.keyId}`, org.admin.token)).status).toBe(204);
        expectOAuthError(
          await tokenRequest({ grant_type: 'client_credentials', client_secret: account.token }),
          401,
          'invalid_client',
        );
        expect((await me(before.access_token)).status).toBe(401);
      });

      it("a client_id that is not the key's account is invalid_client", async () => {
        expectOAuthError(
          await tokenRequest({ grant_type: 'client_credentials', client_id: org.admin.id, client_secret: SECRET }),
          401,
          'invalid_client',
        );
      });

      it('with HTTP Basic answers an access token of the service account and no refresh token', async () => {
        const answer = await tokenRequest(
          { grant_type: 'client_credentials' },
          { authorization: basic(service.id, SECRET) },
        );
        expect(answer.statusCode).toBe(200);
        const body = answer.json();
        expect(body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600 });
        expect((await me(body.access_token)).body.id).toBe(service.id);
      });

      it('with the secret in the form works too', async () => {
        const answer = await tokenRequest({ grant_type: 'client_credentials', client_secret: SECRET });
        expect(answer.statusCode).toBe(200);
      });

      it('a wrong or missing secret is 401 invalid_client with a Basic challenge', async () => {
        for (const answer of [
          await tokenRequest(
            { grant_type: 'client_credentials' },
            { authorization: basic(service.id, 'oak_wrong') },
          ),
          await tokenRequest({ grant_type: 'client_credentials', client_id: service.id }),
          await tokenRequest({ grant_type: 'client_credentials' }, { authorization: 'Basic bm8tY29sb24=' }),
        ]) {
          expectOAuthError(answer, 401, 'invalid_client');
          expect(answer.headers['www-authenticate']).toMatch(/^Basic realm="token"/);
        }
      });

      it('two client authentication methods at once are invalid_request', async () => {
        expectOAuthError(
          await tokenRequest(
            { grant_type: 'client_credentials', client_secret: SECRET },
            { authorization: basic(service.id, SECRET) },
          ),
          400,
          'invalid_request',
        );
      });
    });
  });
});

describe('Auth: the token endpoint is rate-limited like login', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start({ AUTH_RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(() => t.close());

  it('a fourth attempt within the minute is 429 problem details with RateLimit headers', async () => {
    const attempt = () =>
      t.inject({
        method: 'POST',
        url: '/auth/token',
        headers: { 'content-type': FORM },
        payload: new URLSearchParams({
          grant_type: 'password',
          username: 'victim@example.test',
          password: 'guess',
        }).toString(),
      });
    for (let i = 0; i < 3; i++) expect((await attempt()).statusCode).toBe(400);
    const limited = await attempt();
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(limited.json().code).toBe('RATE_LIMITED');
    expect(limited.headers['retry-after']).toBeDefined();
    expect(limited.headers['ratelimit-remaining']).toBe('0');
  });
});

describe('Auth: refresh token lifetimes are configurable', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start({ REFRESH_TOKEN_TTL: '1800', REFRESH_TOKEN_FAMILY_TTL: '3600' });
  });
  afterAll(() => t.close());

  it('a refresh token lives REFRESH_TOKEN_TTL and its session REFRESH_TOKEN_FAMILY_TTL', async () => {
    const user = await createUser(t);
    const login = await t.post('/auth/login', { email: user.email, password: DEFAULT_PASSWORD });
    expect(login.status).toBe(200);
    const [row] = await t.sql<{ lifetime: number; family_lifetime: number }>(
      `select extract(epoch from t.expires_at - t.created_at)::int as lifetime,
              extract(epoch from f.expires_at - f.created_at)::int as family_lifetime
         from refresh_tokens t join refresh_token_families f on f.id = t.family_id where t.token_hash = ?`,
      [sha256(login.body.refreshToken)],
    );
    expect(row).toEqual({ lifetime: 1800, family_lifetime: 3600 });
  });
});
