import { createHmac } from 'node:crypto';
import { hashPassword } from '../../src/modules/auth/password-hasher';
import { createOrganization } from '../factories/organizations.factory';
import {
  createUser,
  DEFAULT_PASSWORD,
  mailedToken,
  signUpThroughApi,
  uniqueEmail,
} from '../factories/users.factory';
import { PLATFORM_ADMIN_EMAIL, TestApp, TEST_JWT_SECRET } from '../support/test-app';

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
function signJwt(header: object, payload: object, secret = TEST_JWT_SECRET): string {
  const unsigned = `${b64(header)}.${b64(payload)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}
const now = () => Math.floor(Date.now() / 1000);
const claims = (sub: string, extra: object = {}) => ({
  sub,
  ver: 0,
  iss: 'orgs-access-service',
  aud: 'orgs-access-api',
  iat: now(),
  exp: now() + 600,
  ...extra,
});

describe('Auth', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  describe('sign-up and verification', () => {
    it('a new user signs up, verifies the mailed token and joins the organization owning their domain', async () => {
      const org = await createOrganization(t, { domains: ['acme-signup.test'] });
      const email = 'Mary.Jones@ACME-signup.test';
      const signup = await t.post('/auth/signup', { email, password: DEFAULT_PASSWORD, name: 'Mary Jones' });
      expect(signup.status).toBe(201);
      expect(signup.body.user).toMatchObject({
        email: 'mary.jones@acme-signup.test',
        status: 'active',
        emailVerified: false,
      });
      expect(signup.body.user).not.toHaveProperty('passwordHash');

      const mail = await t.lastMailTo('mary.jones@acme-signup.test');
      expect(mail.text).toMatch(/verify-email\?token=/);
      const verify = await t.post('/auth/verify-email', {
        token: await mailedToken(t, 'mary.jones@acme-signup.test'),
      });
      expect(verify.status).toBe(200);
      expect(verify.body.user.emailVerified).toBe(true);
      expect(verify.body.memberships).toEqual([
        { organization: { id: org.id, name: org.name, isWorkforce: false }, type: 'member' },
      ]);

      const login = await t.post('/auth/login', {
        email: 'MARY.JONES@acme-signup.test',
        password: DEFAULT_PASSWORD,
      });
      expect(login.status).toBe(200);
      expect(login.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 3600 });
      const me = await t.get('/me', login.body.accessToken);
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ email: 'mary.jones@acme-signup.test', isPlatformAdmin: false });
      expect(me.body.memberships).toHaveLength(1);
    });

    it('a verification token works once', async () => {
      const email = uniqueEmail();
      await t.post('/auth/signup', { email, password: DEFAULT_PASSWORD, name: 'Once' });
      const token = await mailedToken(t, email);
      expect((await t.post('/auth/verify-email', { token })).status).toBe(200);
      const again = await t.post('/auth/verify-email', { token });
      expect(again.status).toBe(400);
      expect(again.body.code).toBe('INVALID_TOKEN');
    });

    it('an expired verification token is refused', async () => {
      const email = uniqueEmail();
      await t.post('/auth/signup', { email, password: DEFAULT_PASSWORD, name: 'Late' });
      const token = await mailedToken(t, email);
      await t.sql(
        `update email_tokens set expires_at = now() - interval '1 second'
          where user_id = (select id from users where email = ?)`,
        [email],
      );
      const verify = await t.post('/auth/verify-email', { token });
      expect(verify.status).toBe(400);
      expect(verify.body.code).toBe('INVALID_TOKEN');
    });

    it('tokens are stored hashed, never in clear', async () => {
      const email = uniqueEmail();
      await t.post('/auth/signup', { email, password: DEFAULT_PASSWORD, name: 'Hash' });
      const token = await mailedToken(t, email);
      const rows = await t.sql(`select token_hash from email_tokens where token_hash = ?`, [token]);
      expect(rows).toHaveLength(0);
    });

    it('signing up with the email of an active account is refused with EMAIL_TAKEN', async () => {
      const user = await createUser(t);
      const again = await t.post('/auth/signup', {
        email: user.email.toUpperCase(),
        password: DEFAULT_PASSWORD,
        name: 'Twin',
      });
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('EMAIL_TAKEN');
    });

    it('an invited user who signs up keeps the admin membership granted to their email', async () => {
      const email = uniqueEmail('invited-org.test');
      const operator = await createUser(t, { platformAdmin: true });
      const created = await t.post(
        '/platform/organizations',
        { name: 'Invited Org', domains: ['invited-org.test'], adminEmails: [email] },
        operator.token,
      );
      expect(created.status).toBe(201);
      const user = await signUpThroughApi(t, { email });
      expect(user.verifyResponse.memberships).toEqual([
        { organization: expect.objectContaining({ id: created.body.id }), type: 'admin' },
      ]);
    });

    it('a user internal elsewhere does not join a second organization by domain', async () => {
      const first = await createOrganization(t);
      const second = await createOrganization(t, { domains: ['second-by-domain.test'] });
      const user = await createUser(t, { email: uniqueEmail('second-by-domain.test'), verified: false });
      await t.sql(
        `insert into memberships (id, organization_id, user_id, type, created_at) values (gen_random_uuid(), ?, ?, 'member', now())`,
        [first.id, user.id],
      );
      await t.sql(
        `insert into email_tokens (id, user_id, purpose, token_hash, expires_at, password_hash, name, created_at)
              values (gen_random_uuid(), ?, 'verify_email', encode(sha256('tok-second'::bytea), 'hex'),
                      now() + interval '1 hour', ?, 'Second', now())`,
        [user.id, await hashPassword(DEFAULT_PASSWORD)],
      );
      const verify = await t.post('/auth/verify-email', { token: 'tok-second' });
      expect(verify.status).toBe(200);
      expect(verify.body.memberships.map((m: any) => m.organization.id)).toEqual([first.id]);
      expect(verify.body.memberships.map((m: any) => m.organization.id)).not.toContain(second.id);
    });

    it('the database refuses a second internal membership, whatever the code does', async () => {
      const first = await createOrganization(t);
      const second = await createOrganization(t);
      const user = await createUser(t);
      await t.sql(
        `insert into memberships (id, organization_id, user_id, type, created_at) values (gen_random_uuid(), ?, ?, 'member', now())`,
        [first.id, user.id],
      );
      await expect(
        t.sql(
          `insert into memberships (id, organization_id, user_id, type, created_at) values (gen_random_uuid(), ?, ?, 'admin', now())`,
          [second.id, user.id],
        ),
      ).rejects.toThrow(/memberships_one_internal_org/);
    });
  });

  describe('login', () => {
    it('is refused before the email is verified', async () => {
      const email = uniqueEmail();
      await t.post('/auth/signup', { email, password: DEFAULT_PASSWORD, name: 'Early' });
      const login = await t.post('/auth/login', { email, password: DEFAULT_PASSWORD });
      expect(login.status).toBe(403);
      expect(login.body.code).toBe('EMAIL_NOT_VERIFIED');
    });

    it('answers the same for an unknown email and a wrong password', async () => {
      const user = await createUser(t);
      const wrong = await t.post('/auth/login', { email: user.email, password: 'not the password' });
      const unknown = await t.post('/auth/login', { email: uniqueEmail(), password: 'not the password' });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
      expect({ ...wrong.body, instance: null }).toEqual({ ...unknown.body, instance: null });
    });

    it('an invited user (no password) cannot log in', async () => {
      await t.sql(
        `insert into users (id, email, name, created_at) values (gen_random_uuid(), 'ghost@example.test', '', now())`,
      );
      const login = await t.post('/auth/login', { email: 'ghost@example.test', password: DEFAULT_PASSWORD });
      expect(login.status).toBe(401);
    });
  });

  describe('access tokens', () => {
    let userId: string;
    beforeAll(async () => {
      userId = (await createUser(t)).id;
    });

    it('a valid token opens /me', async () => {
      expect((await t.get('/me', signJwt({ alg: 'HS256', typ: 'JWT' }, claims(userId)))).status).toBe(200);
    });

    it('no token is 401 UNAUTHENTICATED with problem details', async () => {
      const response = await t.get('/me');
      expect(response.status).toBe(401);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(response.body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', title: 'Unauthorized' });
    });

    it('a tampered payload is refused', async () => {
      const token = signJwt({ alg: 'HS256', typ: 'JWT' }, claims(userId));
      const [header, , signature] = token.split('.');
      const forged = `${header}.${b64(claims('00000000-0000-0000-0000-000000000000'))}.${signature}`;
      expect((await t.get('/me', forged)).status).toBe(401);
    });

    it('a token signed with another secret is refused', async () => {
      expect(
        (await t.get('/me', signJwt({ alg: 'HS256' }, claims(userId), 'another-secret-another-secret-123')))
          .status,
      ).toBe(401);
    });

    it('an expired token is refused', async () => {
      const expired = signJwt({ alg: 'HS256' }, claims(userId, { iat: now() - 7200, exp: now() - 3600 }));
      expect((await t.get('/me', expired)).status).toBe(401);
    });

    it('a token without a credential version is refused: it cannot be checked against a password change', async () => {
      const unversioned: Partial<ReturnType<typeof claims>> = claims(userId);
      delete unversioned.ver;
      expect((await t.get('/me', signJwt({ alg: 'HS256', typ: 'JWT' }, unversioned))).status).toBe(401);
    });

    it('alg none is refused', async () => {
      const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims(userId))}.`;
      expect((await t.get('/me', unsigned)).status).toBe(401);
    });

    it('a token for another audience or issuer is refused', async () => {
      expect((await t.get('/me', signJwt({ alg: 'HS256' }, claims(userId, { aud: 'other' })))).status).toBe(
        401,
      );
      expect((await t.get('/me', signJwt({ alg: 'HS256' }, claims(userId, { iss: 'other' })))).status).toBe(
        401,
      );
    });

    it('a token of a deleted account is refused', async () => {
      const gone = await createUser(t);
      await t.sql('delete from users where id = ?', [gone.id]);
      expect((await t.get('/me', gone.token)).status).toBe(401);
    });
  });

  describe('platform admins from configuration', () => {
    it('a user whose email is in PLATFORM_ADMIN_EMAILS becomes a platform admin on verification', async () => {
      const operator = await signUpThroughApi(t, { email: PLATFORM_ADMIN_EMAIL });
      const me = await t.get('/me', operator.token);
      expect(me.body.isPlatformAdmin).toBe(true);
      const created = await t.post(
        '/platform/organizations',
        {
          name: 'Configured Operator Org',
          domains: ['configured-op.test'],
          adminEmails: ['boss@configured-op.test'],
        },
        operator.token,
      );
      expect(created.status).toBe(201);
    });
  });

  describe('input', () => {
    it('wrong types and unknown fields get 400 VALIDATION_FAILED with the paths', async () => {
      const response = await t.post('/auth/signup', {
        email: 42,
        password: ['x'],
        name: 'A',
        isPlatformAdmin: true,
      });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      const paths = response.body.errors.map((e: any) => e.path);
      expect(paths).toEqual(expect.arrayContaining(['email', 'password', 'isPlatformAdmin']));
      expect(await t.sql(`select 1 from users where name = 'A'`)).toHaveLength(0);
    });

    it('malformed JSON is a 400 problem', async () => {
      const response = await t.request('POST', '/auth/login', {
        body: '{"email":',
        headers: { 'content-type': 'application/json' },
      });
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/problem\+json/);
    });

    it('a body over 1 MB is 413 PAYLOAD_TOO_LARGE', async () => {
      const response = await t.post('/auth/signup', {
        email: uniqueEmail(),
        password: 'x'.repeat(1024 * 1024 + 10),
        name: 'Big',
      });
      expect(response.status).toBe(413);
      expect(response.body.code).toBe('PAYLOAD_TOO_LARGE');
    });

    it('an unknown route is a 404 problem', async () => {
      const response = await t.get('/nowhere');
      expect(response.status).toBe(404);
      expect(response.body.code).toBe('NOT_FOUND');
    });
  });
});

describe('Auth rate limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start({ AUTH_RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(() => t.close());

  it('the fourth login for one email within a minute is 429 RATE_LIMITED with Retry-After', async () => {
    const statuses: number[] = [];
    let last: any;
    for (let i = 0; i < 4; i++) {
      last = await t.post('/auth/login', { email: 'target@example.test', password: 'wrong password' });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect(last.body.code).toBe('RATE_LIMITED');
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
  });

  /** A request from a client IP of its own, so that each test has its own per-IP count. */
  const postFrom = async (remoteAddress: string, url: string, body: object) =>
    (
      await t.app.inject({
        method: 'POST',
        url,
        remoteAddress,
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      })
    ).statusCode;

  it.each([
    ['/auth/signup', '10.0.0.1'],
    ['/auth/verify-email', '10.0.0.2'],
    ['/auth/resend-verification', '10.0.0.3'],
    ['/auth/password-reset', '10.0.0.4'],
    ['/auth/password-reset/confirm', '10.0.0.5'],
    ['/auth/login', '10.0.0.6'],
  ])('invalid bodies sent to %s count against the limit of the client IP', async (path, ip) => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push(await postFrom(ip, path, { unexpected: i }));
    expect(statuses).toEqual([400, 400, 400, 429]);
  });

  it('invalid bodies naming an email count against the limit of that email, whatever the IP', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push(
        await postFrom(`10.0.1.${i}`, '/auth/signup', { email: 'Flooded@Example.test', password: 'short' }),
      );
    }
    expect(statuses).toEqual([400, 400, 400, 429]);
  });
});
