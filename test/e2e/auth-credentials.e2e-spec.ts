import { createOrganization } from '../factories/organizations.factory';
import {
  createPlatformAdmin,
  createUser,
  DEFAULT_PASSWORD,
  mailedToken,
  signUpThroughApi,
  uniqueEmail,
  uniqueName,
} from '../factories/users.factory';
import { PLATFORM_ADMIN_EMAIL, TestApp } from '../support/test-app';

const ATTACKER_PASSWORD = 'attacker chose this one';
const OWNER_PASSWORD = 'the owner chose this one';

/** Who may set a password: only someone holding a token mailed to the address. */
describe('Auth: passwords set through mailed tokens', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  const signUp = (email: string, password: string, name = uniqueName('Signer')) =>
    t.post('/auth/signup', { email, password, name });
  const login = (email: string, password: string) => t.post('/auth/login', { email, password });
  const resetPassword = async (email: string, password: string) => {
    expect((await t.post('/auth/password-reset', { email })).status).toBe(202);
    const token = await mailedToken(t, email, 'reset-password');
    return t.post('/auth/password-reset/confirm', { token, password });
  };

  describe('account takeover by signing up first', () => {
    it("an attacker who signs up with an invited admin's address never gets in; the owner who signs up and verifies does", async () => {
      const operator = await createPlatformAdmin(t);
      const owner = uniqueEmail('takeover-invited.test');
      const created = await t.post(
        '/platform/organizations',
        { name: uniqueName('Takeover'), domains: ['takeover-invited.test'], adminEmails: [owner] },
        operator.token,
      );
      expect(created.status).toBe(201);

      expect((await signUp(owner, ATTACKER_PASSWORD, 'Attacker')).status).toBe(201);
      expect((await signUp(owner, OWNER_PASSWORD, 'Owner')).status).toBe(201);
      const verified = await t.post('/auth/verify-email', { token: await mailedToken(t, owner) });
      expect(verified.status).toBe(200);
      expect(verified.body.user).toMatchObject({ email: owner, name: 'Owner', status: 'active' });
      expect(verified.body.memberships).toEqual([
        { organization: expect.objectContaining({ id: created.body.id }), type: 'admin' },
      ]);

      const attacker = await login(owner, ATTACKER_PASSWORD);
      expect(attacker.status).toBe(401);
      expect(attacker.body.code).toBe('INVALID_CREDENTIALS');
      expect((await login(owner, OWNER_PASSWORD)).status).toBe(200);
    });

    it('an attacker who signs up with an address listed in PLATFORM_ADMIN_EMAILS never gets in; the owner does', async () => {
      expect((await signUp(PLATFORM_ADMIN_EMAIL, ATTACKER_PASSWORD, 'Attacker')).status).toBe(201);
      expect((await signUp(PLATFORM_ADMIN_EMAIL, OWNER_PASSWORD, 'Operator')).status).toBe(201);
      expect(
        (await t.post('/auth/verify-email', { token: await mailedToken(t, PLATFORM_ADMIN_EMAIL) })).status,
      ).toBe(200);

      expect((await login(PLATFORM_ADMIN_EMAIL, ATTACKER_PASSWORD)).status).toBe(401);
      const owner = await login(PLATFORM_ADMIN_EMAIL, OWNER_PASSWORD);
      expect(owner.status).toBe(200);
      expect((await t.get('/me', owner.body.accessToken)).body.isPlatformAdmin).toBe(true);
    });

    it('a sign-up changes nothing on the account until its link is opened', async () => {
      const invited = await createUser(t, { verified: false, name: 'Given by the admin' });
      const signup = await signUp(invited.email, ATTACKER_PASSWORD, 'Renamed by a stranger');
      expect(signup.status).toBe(201);
      expect(signup.body.user).toMatchObject({ id: invited.id, emailVerified: false });
      const [row] = await t.sql(`select name, password_hash, email_verified_at from users where id = ?`, [
        invited.id,
      ]);
      expect(row).toEqual({ name: 'Given by the admin', password_hash: null, email_verified_at: null });
    });

    it('the database refuses a password on an account whose email is not verified', async () => {
      const user = await createUser(t, { verified: false });
      await expect(
        t.sql(`update users set password_hash = 'scrypt$1$1$1$x$y' where id = ?`, [user.id]),
      ).rejects.toThrow(/users_password_needs_verified_email/);
    });

    it('a new sign-up of an unverified address voids the link of the previous one', async () => {
      const email = uniqueEmail();
      await signUp(email, ATTACKER_PASSWORD);
      const older = await mailedToken(t, email);
      expect((await signUp(email, OWNER_PASSWORD)).status).toBe(201);
      const refused = await t.post('/auth/verify-email', { token: older });
      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe('INVALID_TOKEN');
      expect((await t.post('/auth/verify-email', { token: await mailedToken(t, email) })).status).toBe(200);
      expect((await login(email, OWNER_PASSWORD)).status).toBe(200);
    });

    it('before verification only the pending sign-up’s password learns that the email is unverified; others get the 401 of a wrong password', async () => {
      const email = uniqueEmail();
      await signUp(email, ATTACKER_PASSWORD);
      await signUp(email, OWNER_PASSWORD);
      const pending = await login(email, OWNER_PASSWORD);
      expect(pending.status).toBe(403);
      expect(pending.body.code).toBe('EMAIL_NOT_VERIFIED');
      const replaced = await login(email, ATTACKER_PASSWORD);
      const unknown = await login(uniqueEmail(), ATTACKER_PASSWORD);
      expect(replaced.status).toBe(401);
      expect({ ...replaced.body, instance: null }).toEqual({ ...unknown.body, instance: null });
    });

    it('the verification mail says what happened, how long the link works and what to do if you did not ask', async () => {
      const email = uniqueEmail();
      await signUp(email, OWNER_PASSWORD, 'Mail Reader');
      const mail = await t.lastMailTo(email);
      expect(mail.text).toMatch(/signed up with this email address/);
      expect(mail.text).toMatch(/within 24 hours/);
      expect(mail.text).toMatch(/If you did not ask for this, ignore this mail; nothing changes/);
    });
  });

  describe('resending the verification', () => {
    it('mails a new link to an unverified address and voids the older one, keeping the chosen password', async () => {
      const email = uniqueEmail();
      await signUp(email, OWNER_PASSWORD);
      const older = await mailedToken(t, email);
      const resent = await t.post('/auth/resend-verification', { email: email.toUpperCase() });
      expect(resent.status).toBe(202);
      const newer = await mailedToken(t, email);
      expect(newer).not.toBe(older);
      expect((await t.post('/auth/verify-email', { token: older })).body.code).toBe('INVALID_TOKEN');
      expect((await t.post('/auth/verify-email', { token: newer })).status).toBe(200);
      expect((await login(email, OWNER_PASSWORD)).status).toBe(200);
    });

    it('renews a sign-up whose link expired', async () => {
      const email = uniqueEmail();
      await signUp(email, OWNER_PASSWORD);
      await t.sql(
        `update email_tokens set expires_at = now() - interval '1 second'
          where user_id = (select id from users where email = ?)`,
        [email],
      );
      expect((await t.post('/auth/resend-verification', { email })).status).toBe(202);
      expect((await t.post('/auth/verify-email', { token: await mailedToken(t, email) })).status).toBe(200);
    });

    it('mails nothing to an unknown, an invited or a verified address', async () => {
      const verified = await createUser(t);
      const invited = await createUser(t, { verified: false });
      const unknown = uniqueEmail();
      for (const email of [verified.email, invited.email, unknown]) {
        expect((await t.post('/auth/resend-verification', { email })).status).toBe(202);
        await expect(t.lastMailTo(email)).rejects.toThrow(/no mail/);
      }
    });
  });

  describe('password reset', () => {
    it('a mailed single-use link sets the new password; the old one stops working', async () => {
      const user = await signUpThroughApi(t, { password: OWNER_PASSWORD });
      const asked = await t.post('/auth/password-reset', { email: user.email });
      expect(asked.status).toBe(202);
      const mail = await t.lastMailTo(user.email);
      expect(mail.text).toMatch(/within 1 hour/);
      expect(mail.text).toMatch(
        /If you did not ask for this, ignore this mail; nothing changes: your password stays as it was/,
      );
      const token = await mailedToken(t, user.email, 'reset-password');

      const confirmed = await t.post('/auth/password-reset/confirm', {
        token,
        password: 'a brand new password',
      });
      expect(confirmed.status).toBe(204);
      expect((await login(user.email, OWNER_PASSWORD)).status).toBe(401);
      expect((await login(user.email, 'a brand new password')).status).toBe(200);

      const again = await t.post('/auth/password-reset/confirm', { token, password: 'yet another password' });
      expect(again.status).toBe(400);
      expect(again.body.code).toBe('INVALID_TOKEN');
    });

    it('an access token issued before a reset is refused after it, on every route', async () => {
      const org = await createOrganization(t);
      const user = await signUpThroughApi(t);
      expect((await t.get('/me', user.token)).status).toBe(200);
      expect((await resetPassword(user.email, 'the password after reset')).status).toBe(204);

      for (const path of ['/me', '/organizations', `/organizations/${org.id}`, '/projects']) {
        const refused = await t.get(path, user.token);
        expect({ path, status: refused.status, code: refused.body.code }).toEqual({
          path,
          status: 401,
          code: 'UNAUTHENTICATED',
        });
      }
      const fresh = await login(user.email, 'the password after reset');
      expect((await t.get('/me', fresh.body.accessToken)).status).toBe(200);
    });

    it('a token issued in the same second as the reset, before it, is refused too', async () => {
      const user = await createUser(t);
      const before = t.tokenFor(user.id);
      expect((await resetPassword(user.email, 'the password after reset')).status).toBe(204);
      expect((await t.get('/me', before)).status).toBe(401);
    });

    it('a link older than one hour is refused', async () => {
      const user = await createUser(t);
      await t.post('/auth/password-reset', { email: user.email });
      const token = await mailedToken(t, user.email, 'reset-password');
      await t.sql(`update email_tokens set expires_at = now() - interval '1 second' where user_id = ?`, [
        user.id,
      ]);
      const refused = await t.post('/auth/password-reset/confirm', {
        token,
        password: 'too late a password',
      });
      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe('INVALID_TOKEN');
    });

    it('the link is valid one hour', async () => {
      const user = await createUser(t);
      await t.post('/auth/password-reset', { email: user.email });
      const [row] = await t.sql<{ minutes: number }>(
        `select round(extract(epoch from expires_at - created_at) / 60)::int as minutes
           from email_tokens where user_id = ? and purpose = 'password_reset'`,
        [user.id],
      );
      expect(row.minutes).toBe(60);
    });

    it('asking again voids the older link', async () => {
      const user = await createUser(t);
      await t.post('/auth/password-reset', { email: user.email });
      const older = await mailedToken(t, user.email, 'reset-password');
      await t.post('/auth/password-reset', { email: user.email });
      const refused = await t.post('/auth/password-reset/confirm', {
        token: older,
        password: 'a new password!',
      });
      expect(refused.body.code).toBe('INVALID_TOKEN');
    });

    it('two confirmations of one link at once: one sets the password, the other is refused', async () => {
      const user = await createUser(t);
      await t.post('/auth/password-reset', { email: user.email });
      const token = await mailedToken(t, user.email, 'reset-password');
      const answers = await Promise.all(
        ['first new password', 'second new password'].map((password) =>
          t.post('/auth/password-reset/confirm', { token, password }),
        ),
      );
      expect(answers.map((a) => a.status).sort()).toEqual([204, 400]);
    });

    it('a reset of an invited account sets its password and verifies the email, with what verification brings', async () => {
      const operator = await createPlatformAdmin(t);
      const email = uniqueEmail('reset-invited.test');
      const created = await t.post(
        '/platform/organizations',
        { name: uniqueName('Reset'), domains: ['reset-invited.test'], adminEmails: [email] },
        operator.token,
      );
      expect(created.status).toBe(201);
      expect((await resetPassword(email, OWNER_PASSWORD)).status).toBe(204);
      const signedIn = await login(email, OWNER_PASSWORD);
      expect(signedIn.status).toBe(200);
      const me = await t.get('/me', signedIn.body.accessToken);
      expect(me.body.memberships).toEqual([
        { organization: expect.objectContaining({ id: created.body.id }), type: 'admin' },
      ]);
    });

    it('a reset voids a pending sign-up, so its link can no longer set a password', async () => {
      const email = uniqueEmail();
      await signUp(email, ATTACKER_PASSWORD);
      const signUpToken = await mailedToken(t, email);
      expect((await resetPassword(email, OWNER_PASSWORD)).status).toBe(204);
      expect((await t.post('/auth/verify-email', { token: signUpToken })).body.code).toBe('INVALID_TOKEN');
      expect((await login(email, ATTACKER_PASSWORD)).status).toBe(401);
      expect((await login(email, OWNER_PASSWORD)).status).toBe(200);
    });

    it('a password reset is recorded in the audit log', async () => {
      const user = await createUser(t);
      await resetPassword(user.email, OWNER_PASSWORD);
      const rows = await t.sql(`select action from audit_events where target_id = ? and actor_id = ?`, [
        user.id,
        user.id,
      ]);
      expect(rows.map((r) => r.action)).toContain('user.password_reset');
    });
  });

  describe('answers that reveal nothing about the account', () => {
    it.each([['/auth/resend-verification'], ['/auth/password-reset']])(
      '%s answers the same for unknown, invited, unverified and verified emails',
      async (path) => {
        const unverified = uniqueEmail();
        await signUp(unverified, OWNER_PASSWORD);
        const emails = [
          uniqueEmail(),
          (await createUser(t, { verified: false })).email,
          unverified,
          (await createUser(t)).email,
        ];
        const answers: { status: number; body: unknown; type: unknown }[] = [];
        for (const email of emails) {
          const answer = await t.post(path, { email });
          answers.push({
            status: answer.status,
            body: answer.body ?? null,
            type: answer.headers['content-type'] ?? null,
          });
        }
        expect(answers[0].status).toBe(202);
        expect(answers).toEqual(emails.map(() => answers[0]));
      },
    );

    it('a bad token and a bad body get problem details', async () => {
      const badToken = await t.post('/auth/password-reset/confirm', {
        token: 'nope',
        password: 'long enough pass',
      });
      expect(badToken.status).toBe(400);
      expect(badToken.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(badToken.body.code).toBe('INVALID_TOKEN');
      const short = await t.post('/auth/password-reset/confirm', { token: 'nope', password: 'short' });
      expect(short.status).toBe(400);
      expect(short.body.code).toBe('VALIDATION_FAILED');
      const notEmail = await t.post('/auth/password-reset', { email: 'not an email' });
      expect(notEmail.body.code).toBe('VALIDATION_FAILED');
      const extra = await t.post('/auth/resend-verification', { email: uniqueEmail(), admin: true });
      expect(extra.body.code).toBe('VALIDATION_FAILED');
    });
  });

  describe('caching', () => {
    it('the login answer, which carries an access token, is never stored by a cache', async () => {
      const user = await createUser(t);
      const answer = await login(user.email, DEFAULT_PASSWORD);
      expect(answer.status).toBe(200);
      expect(answer.headers['cache-control']).toBe('no-store');
      expect(answer.headers['pragma']).toBe('no-cache');
    });

    it('nor are the answers of the other public auth routes', async () => {
      const email = uniqueEmail();
      const answers = [
        await t.post('/auth/signup', { email, password: OWNER_PASSWORD, name: 'Cache' }),
        await t.post('/auth/verify-email', { token: await mailedToken(t, email) }),
        await t.post('/auth/resend-verification', { email }),
        await t.post('/auth/password-reset', { email }),
        await t.post('/auth/password-reset/confirm', {
          token: await mailedToken(t, email, 'reset-password'),
          password: OWNER_PASSWORD,
        }),
      ];
      expect(answers.map((a) => [a.status, a.headers['cache-control']])).toEqual([
        [201, 'no-store'],
        [200, 'no-store'],
        [202, 'no-store'],
        [202, 'no-store'],
        [204, 'no-store'],
      ]);
    });
  });
});
