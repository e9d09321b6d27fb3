import { createHash } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { ApiKeyVerifier } from '../../src/modules/service-accounts/api-key.authenticator';
import { API_KEY_CALLER_SQL } from '../../src/modules/service-accounts/service-accounts.repository';
import { sql } from '../../src/database/sql';
import {
  createMember,
  createOrganization,
  memberUrl,
  membersUrl,
  TestOrganization,
} from '../factories/organizations.factory';
import { createResource } from '../factories/resources.factory';
import {
  createServiceAccount,
  keysUrl,
  serviceAccountsUrl,
  TestServiceAccount,
} from '../factories/service-accounts.factory';
import { createUser, DEFAULT_PASSWORD, mailedToken, TestUser } from '../factories/users.factory';
import { auditEvents } from '../support/audit-log';
import { TestApp } from '../support/test-app';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const KEY_FORMAT = /^oak_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/;
const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

describe('Service accounts and API keys', () => {
  let t: TestApp;
  let org: TestOrganization;
  let other: TestOrganization;
  let member: TestUser;
  beforeAll(async () => {
    t = await TestApp.start();
    org = await createOrganization(t);
    other = await createOrganization(t);
    member = await createMember(t, org.id, 'member');
  });
  afterAll(() => t.close());

  const accountUrl = (account: { id: string }, o: { id: string } = org) =>
    `${serviceAccountsUrl(o)}/${account.id}`;
  const keyRow = (keyId: string) =>
    t.sql<{ key_hash: string; last_used_at: Date | null }>(`select * from api_keys where id = ?`, [keyId]);

  /** The 401 answer, without what differs per request. */
  const unauthorized = async (token: string) => {
    const response = await t.get('/me', token);
    const body = { ...response.body };
    delete body.instance;
    delete body.requestId;
    return { status: response.status, body, wwwAuthenticate: response.headers['www-authenticate'] };
  };

  describe('accounts', () => {
    it('an admin creates a service account: listed, shown as one in the member list, audited', async () => {
      const created = await t.post(
        serviceAccountsUrl(org),
        { name: '  CI pipeline ', type: 'member' },
        org.admin.token,
      );
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.any(String),
        name: 'CI pipeline',
        email: `${created.body.id}@service-accounts.invalid`,
        type: 'member',
        disabled: false,
        createdAt: expect.any(String),
      });
      expect(created.headers.location).toBe(accountUrl(created.body));

      const list = await t.get(serviceAccountsUrl(org), org.admin.token);
      expect(list.body.items).toContainEqual(created.body);
      const members = await t.get(`${membersUrl(org)}?q=pipeline`, org.admin.token);
      expect(members.body.items).toEqual([
        expect.objectContaining({
          userId: created.body.id,
          type: 'member',
          status: 'active',
          isServiceAccount: true,
        }),
      ]);
      const people = await t.get(`${membersUrl(org)}?type=admin`, org.admin.token);
      expect(people.body.items.every((m: any) => m.isServiceAccount === false)).toBe(true);

      const [event] = await auditEvents(t, { organizationId: org.id, action: 'service_account.created' });
      expect(event).toMatchObject({
        actorId: org.admin.id,
        targetType: 'user',
        targetId: created.body.id,
        data: { after: { name: 'CI pipeline', type: 'member' } },
      });
    });

    it('a member of the organization may not manage service accounts; an admin of another organization does not see them', async () => {
      const account = await createServiceAccount(t, org);
      expect((await t.get(serviceAccountsUrl(org), member.token)).status).toBe(403);
      expect(
        (await t.post(serviceAccountsUrl(org), { name: 'x', type: 'member' }, member.token)).status,
      ).toBe(403);
      expect((await t.post(keysUrl(org, account), { name: 'x' }, member.token)).status).toBe(403);
      // Org B's admin: org A is not theirs to know (404), and A's account under B's path is nobody's.
      expect((await t.get(serviceAccountsUrl(org), other.admin.token)).status).toBe(404);
      expect((await t.get(accountUrl(account, other), other.admin.token)).status).toBe(404);
      expect((await t.get(keysUrl(other, account), other.admin.token)).status).toBe(404);
      expect((await t.post(keysUrl(other, account), { name: 'x' }, other.admin.token)).status).toBe(404);
      expect((await t.patch(accountUrl(account, other), { disabled: true }, other.admin.token)).status).toBe(
        404,
      );
      expect((await t.delete(`${keysUrl(other, account)}/${account.keyId}`, other.admin.token)).status).toBe(
        404,
      );
      expect((await t.delete(accountUrl(account, other), other.admin.token)).status).toBe(404);
      expect((await t.get('/me', account.token)).status).toBe(200);
    });

    it('the database refuses a password or the platform flag on a service account', async () => {
      const account = await createServiceAccount(t, org);
      await expect(
        t.sql(`update users set password_hash = 'x', email_verified_at = now() where id = ?`, [account.id]),
      ).rejects.toThrow(/users_service_account_no_password/);
      await expect(
        t.sql(`update users set is_platform_admin = true where id = ?`, [account.id]),
      ).rejects.toThrow(/users_service_account_no_password/);
    });

    it('nobody signs up as a service account or gets it a password through a reset link', async () => {
      const account = await createServiceAccount(t, org);
      const signup = await t.post('/auth/signup', {
        email: account.email,
        password: DEFAULT_PASSWORD,
        name: 'Me',
      });
      expect(signup.status).toBe(409);
      expect(signup.body.code).toBe('EMAIL_TAKEN');
      // The reset link goes to an address nobody receives; should it be read anyway, it sets nothing.
      expect((await t.post('/auth/password-reset', { email: account.email })).status).toBe(202);
      const token = await mailedToken(t, account.email, 'reset-password');
      const confirm = await t.post('/auth/password-reset/confirm', { token, password: DEFAULT_PASSWORD });
      expect(confirm.status).toBe(400);
      expect(confirm.body.code).toBe('INVALID_TOKEN');
      const login = await t.post('/auth/login', { email: account.email, password: DEFAULT_PASSWORD });
      expect(login.status).toBe(401);
      expect((await t.get('/me', account.token)).status).toBe(200);
    });

    it('a service account never joins another organization, not even as external or by a resource invitation', async () => {
      const account = await createServiceAccount(t, org);
      await expect(
        t.sql(
          `insert into memberships (id, organization_id, user_id, type, created_at) values (gen_random_uuid(), ?, ?, 'external', now())`,
          [other.id, account.id],
        ),
      ).rejects.toThrow(/SERVICE_ACCOUNT_OUTSIDE_ORGANIZATION/);
      const asExternal = await t.post(
        membersUrl(other),
        { email: account.email, type: 'external' },
        other.admin.token,
      );
      expect(asExternal.status).toBe(422);
      expect(asExternal.body.code).toBe('SERVICE_ACCOUNT_OUTSIDE_ORGANIZATION');
      const asMember = await t.post(
        membersUrl(other),
        { email: account.email, type: 'member' },
        other.admin.token,
      );
      expect(asMember.body.code).toBe('ALREADY_INTERNAL_ELSEWHERE');
      // A resource of another organization, and one of no organization.
      for (const owner of [other.admin, await createUser(t)]) {
        const project = await createResource(t, owner, 'project');
        const invite = await t.post(
          `/projects/${project.id}/collaborators`,
          { emails: [account.email], role: 'annotator' },
          owner.token,
        );
        expect(invite.status).toBe(422);
        expect(invite.body.code).toBe('SERVICE_ACCOUNT_OUTSIDE_ORGANIZATION');
      }
      const otherProject = await createResource(t, other.admin, 'project');
      const notify = await t.post(
        `/projects/${otherProject.id}/notifications`,
        { name: 'Bots', events: ['task.submitted'], recipientEmails: [account.email] },
        other.admin.token,
      );
      expect(notify.status).toBe(422);
      expect(notify.body.code).toBe('SERVICE_ACCOUNT_OUTSIDE_ORGANIZATION');
      const memberships = await t.sql(`select organization_id from memberships where user_id = ?`, [
        account.id,
      ]);
      expect(memberships).toEqual([{ organization_id: org.id }]);
    });

    it("a service account is invited to its organization's resources and put in groups like anyone", async () => {
      const account = await createServiceAccount(t, org);
      const project = await createResource(t, org.admin, 'project');
      const invite = await t.post(
        `/projects/${project.id}/collaborators`,
        { emails: [account.email], role: 'reviewer' },
        org.admin.token,
      );
      expect(invite.status).toBe(201);
      const group = await t.post(
        `/organizations/${org.id}/groups`,
        { name: `Bots ${account.id}`, memberIds: [account.id] },
        org.admin.token,
      );
      expect(group.status).toBe(201);
      expect((await t.get(`/projects/${project.id}`, account.token)).body.myRole).toBe('reviewer');
    });

    it('removing a service account as a member is refused: it leaves only by being deleted', async () => {
      const account = await createServiceAccount(t, org);
      const response = await t.delete(memberUrl(org, account), org.admin.token);
      expect(response.status).toBe(409);
      expect(response.body.code).toBe('SERVICE_ACCOUNT_MEMBERSHIP');
      expect((await t.get('/me', account.token)).status).toBe(200);
    });

    it("its type changes like any member's; an admin service account acts as an admin of its organization", async () => {
      const account = await createServiceAccount(t, org, 'member');
      expect(
        (await t.post(`/organizations/${org.id}/tags`, { name: `t-${account.id}` }, account.token)).status,
      ).toBe(403);
      expect((await t.patch(memberUrl(org, account), { type: 'admin' }, org.admin.token)).status).toBe(200);
      const tag = await t.post(`/organizations/${org.id}/tags`, { name: `t-${account.id}` }, account.token);
      expect(tag.status).toBe(201);
      const audit = await t.get(`/organizations/${org.id}/audit-events?action=tag.created`, org.admin.token);
      expect(audit.body.items[0]).toMatchObject({ actorId: account.id, actorKind: 'service_account' });
      const people = await t.get(
        `/organizations/${org.id}/audit-events?action=service_account.created`,
        org.admin.token,
      );
      expect(people.body.items[0]).toMatchObject({ actorId: org.admin.id, actorKind: 'user' });
    });

    it("a disabled account's keys are refused at once, and work again when it is enabled; both audited", async () => {
      const account = await createServiceAccount(t, org);
      const disabled = await t.patch(
        accountUrl(account),
        { disabled: true, name: 'Paused' },
        org.admin.token,
      );
      expect(disabled.status).toBe(200);
      expect(disabled.body).toMatchObject({ disabled: true, name: 'Paused' });
      expect((await t.get('/me', account.token)).status).toBe(401);
      expect(await t.app.get(ApiKeyVerifier).verifyKey(account.token)).toBeUndefined();
      expect((await t.patch(accountUrl(account), { disabled: false }, org.admin.token)).body.disabled).toBe(
        false,
      );
      expect((await t.get('/me', account.token)).status).toBe(200);
      const events = await auditEvents(t, { targetId: account.id, action: 'service_account.updated' });
      expect(events.map((e) => e.data.after.disabled)).toEqual([true, false]);
    });

    it('deleting an account revokes its keys and removes it as a member is removed, with the hand-over of its resources', async () => {
      const account = await createServiceAccount(t, org, 'admin');
      const project = await createResource(t, account, 'project');
      const refused = await t.delete(accountUrl(account), org.admin.token);
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ code: 'REPLACEMENT_REQUIRED', soleAdminOf: [{ id: project.id }] });
      expect((await t.get('/me', account.token)).status).toBe(200);

      const deleted = await t.delete(
        `${accountUrl(account)}?replacementUserId=${org.admin.id}`,
        org.admin.token,
      );
      expect(deleted.status).toBe(204);
      expect((await t.get('/me', account.token)).status).toBe(401);
      expect((await t.get(`/projects/${project.id}`, org.admin.token)).body.myRole).toBe('admin');
      expect(
        (await t.get(serviceAccountsUrl(org), org.admin.token)).body.items.map((a: any) => a.id),
      ).not.toContain(account.id);
      expect((await t.get(accountUrl(account), org.admin.token)).status).toBe(404);
      expect((await t.delete(accountUrl(account), org.admin.token)).status).toBe(404);
      expect(await t.sql(`select 1 from api_keys where service_account_id = ?`, [account.id])).toEqual([]);
      expect(await t.sql(`select 1 from memberships where user_id = ?`, [account.id])).toEqual([]);
      const actions = (await auditEvents(t, { targetId: account.id })).map((e) => e.action);
      expect(actions).toEqual(expect.arrayContaining(['membership.removed', 'service_account.deleted']));
      // Nor can it come back through an invitation.
      const back = await t.post(membersUrl(org), { email: account.email, type: 'external' }, org.admin.token);
      expect(back.body.code).toBe('SERVICE_ACCOUNT_OUTSIDE_ORGANIZATION');
    });

    it("the organization's last admin is never a deleted service account", async () => {
      const lonely = await createOrganization(t);
      const account = await createServiceAccount(t, lonely, 'admin');
      await t.sql(`delete from memberships where organization_id = ? and user_id = ?`, [
        lonely.id,
        lonely.admin.id,
      ]);
      const response = await t.delete(accountUrl(account, lonely), account.token);
      expect(response.status).toBe(409);
      expect(response.body.code).toBe('LAST_ADMIN');
      expect((await t.get('/me', account.token)).status).toBe(200);
    });
  });

  describe('keys', () => {
    let account: TestServiceAccount;
    beforeAll(async () => {
      account = await createServiceAccount(t, org, 'member');
    });

    it('a key is shown once, stored only as its hash, and listed by its prefix', async () => {
      const created = await t.post(
        keysUrl(org, account),
        { name: 'deploy', expiresAt: inAnHour() },
        org.admin.token,
      );
      expect(created.status).toBe(201);
      expect(created.headers['cache-control']).toBe('no-store');
      const { secret, ...key } = created.body;
      expect(secret).toMatch(KEY_FORMAT);
      expect(key).toEqual({
        id: expect.any(String),
        name: 'deploy',
        prefix: secret.slice(0, 16),
        createdAt: expect.any(String),
        lastUsedAt: null,
        expiresAt: expect.any(String),
      });
      const [row] = await t.sql(`select * from api_keys where id = ?`, [key.id]);
      expect(row.key_hash).toBe(sha256(secret));
      expect(JSON.stringify(row)).not.toContain(secret.slice(17));
      const list = await t.get(keysUrl(org, account), org.admin.token);
      expect(list.body.items).toContainEqual(key);
      expect(JSON.stringify(list.body)).not.toContain(secret.slice(17));
      expect((await t.get(`${keysUrl(org, account)}/${key.id}`, org.admin.token)).body).toEqual(key);
      const audit = JSON.stringify(await auditEvents(t, { targetId: key.id }));
      expect(audit).toContain(key.prefix);
      expect(audit).not.toContain(secret.slice(17));
      expect(audit).not.toContain(row.key_hash);
    });

    it('an Idempotency-Key does not keep the secret: the answer is never stored, a retry makes another key', async () => {
      const send = () =>
        t.request('POST', keysUrl(org, account), {
          token: org.admin.token,
          body: { name: 'retried' },
          headers: { 'idempotency-key': `key-${account.id}` },
        });
      const [first, retry] = [await send(), await send()];
      expect([first.status, retry.status]).toEqual([201, 201]);
      expect(retry.body.secret).not.toBe(first.body.secret);
      expect(retry.headers['idempotent-replayed']).toBeUndefined();
      const stored = await t.sql(`select * from idempotency_keys where key = ?`, [`key-${account.id}`]);
      expect(stored).toEqual([]);
      for (const created of [first, retry])
        await t.delete(`${keysUrl(org, account)}/${created.body.id}`, org.admin.token);
    });

    it('a key authenticates as its account on every route; in another organization it is nobody', async () => {
      const me = await t.get('/me', account.token);
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ id: account.id, isPlatformAdmin: false });
      expect((await t.get(membersUrl(org), account.token)).status).toBe(200);
      expect((await t.get(`/organizations/${other.id}`, account.token)).status).toBe(404);
      expect((await t.get(membersUrl(other), account.token)).status).toBe(404);
      expect(
        (await t.post(membersUrl(other), { email: 'x@example.test', type: 'external' }, account.token))
          .status,
      ).toBe(404);
    });

    it('revoked, expired, unknown and malformed keys get one and the same 401', async () => {
      const revoked = await t.post(keysUrl(org, account), { name: 'old' }, org.admin.token);
      expect((await t.delete(`${keysUrl(org, account)}/${revoked.body.id}`, org.admin.token)).status).toBe(
        204,
      );
      const expired = await t.post(
        keysUrl(org, account),
        { name: 'expiring', expiresAt: inAnHour() },
        org.admin.token,
      );
      await t.sql(`update api_keys set expires_at = now() - interval '1 second' where id = ?`, [
        expired.body.id,
      ]);
      const unknown =
        account.token.slice(0, 20) + (account.token[20] === 'A' ? 'B' : 'A') + account.token.slice(21);
      const answers = await Promise.all(
        [revoked.body.secret, expired.body.secret, unknown, 'oak_short', `${account.token}x`, 'oak_'].map(
          unauthorized,
        ),
      );
      expect(answers[0].status).toBe(401);
      for (const answer of answers) expect(answer).toEqual(answers[0]);
      expect(answers[0]).toEqual(await unauthorized('not-a-token-at-all'));
    });

    it('a key expires at the exact instant of its expiry', async () => {
      const key = await t.post(
        keysUrl(org, account),
        { name: 'boundary', expiresAt: inAnHour() },
        org.admin.token,
      );
      const keyHash = sha256(key.body.secret);
      const holders = async (expiry: string) =>
        t.orm.em.fork().transactional(async (em: EntityManager) => {
          // One transaction: now() is the same instant in both statements.
          await sql(em, `update api_keys set expires_at = now() + ?::interval where id = ?`, [
            expiry,
            key.body.id,
          ]);
          return sql(em, API_KEY_CALLER_SQL, [keyHash]);
        });
      expect(await holders('1 microsecond')).toHaveLength(1);
      expect(await holders('0 seconds')).toEqual([]);
      expect(await holders('-1 microsecond')).toEqual([]);
    });

    it('two keys overlap for rotation: revoking one leaves the other working', async () => {
      const rotating = await createServiceAccount(t, org);
      const next = await t.post(keysUrl(org, rotating), { name: 'next' }, org.admin.token);
      expect((await t.get('/me', rotating.token)).status).toBe(200);
      expect((await t.get('/me', next.body.secret)).status).toBe(200);
      expect((await t.delete(`${keysUrl(org, rotating)}/${rotating.keyId}`, org.admin.token)).status).toBe(
        204,
      );
      expect((await t.get('/me', rotating.token)).status).toBe(401);
      expect((await t.get('/me', next.body.secret)).status).toBe(200);
      const [event] = await auditEvents(t, { targetId: rotating.keyId, action: 'api_key.revoked' });
      expect(event).toMatchObject({
        actorId: org.admin.id,
        data: { serviceAccountId: rotating.id, name: 'first' },
      });
    });

    it('two revocations of one key at once: one succeeds, the other finds nothing', async () => {
      const racing = await createServiceAccount(t, org);
      const url = `${keysUrl(org, racing)}/${racing.keyId}`;
      const answers = await Promise.all([t.delete(url, org.admin.token), t.delete(url, org.admin.token)]);
      expect(answers.map((a) => a.status).sort()).toEqual([204, 404]);
      expect(await auditEvents(t, { targetId: racing.keyId, action: 'api_key.revoked' })).toHaveLength(1);
    });

    it('requests racing a revocation are answered with the key valid or refused, and refused once it is done', async () => {
      const racing = await createServiceAccount(t, org);
      const uses = Array.from({ length: 8 }, () => t.get(membersUrl(org), racing.token));
      const revoke = t.delete(`${keysUrl(org, racing)}/${racing.keyId}`, org.admin.token);
      const answers = await Promise.all([...uses, revoke]);
      expect(answers.pop()!.status).toBe(204);
      for (const answer of answers) expect([200, 401]).toContain(answer.status);
      expect((await t.get('/me', racing.token)).status).toBe(401);
    });

    it('a key created while its account is deleted never outlives the account', async () => {
      for (let round = 0; round < 3; round++) {
        const doomed = await createServiceAccount(t, org);
        const [deleted, created] = await Promise.all([
          t.delete(`${serviceAccountsUrl(org)}/${doomed.id}`, org.admin.token),
          t.post(keysUrl(org, doomed), { name: 'late' }, org.admin.token),
        ]);
        expect(deleted.status).toBe(204);
        expect([201, 404]).toContain(created.status);
        expect(await t.sql(`select 1 from api_keys where service_account_id = ?`, [doomed.id])).toEqual([]);
        if (created.status === 201) expect((await t.get('/me', created.body.secret)).status).toBe(401);
      }
    });

    it('lastUsedAt is recorded off the request path, at most once a minute', async () => {
      const used = await createServiceAccount(t, org);
      expect((await t.get('/me', used.token)).status).toBe(200);
      let [row] = await keyRow(used.keyId);
      for (let i = 0; i < 50 && !row.last_used_at; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        [row] = await keyRow(used.keyId);
      }
      expect(row.last_used_at).not.toBeNull();
      const listed = await t.get(`${keysUrl(org, used)}/${used.keyId}`, org.admin.token);
      expect(listed.body.lastUsedAt).toBe(new Date(row.last_used_at!).toISOString());
      // Within the minute, uses write nothing.
      const recent = new Date(Date.now() - 30_000);
      await t.sql(`update api_keys set last_used_at = ? where id = ?`, [recent, used.keyId]);
      for (let i = 0; i < 5; i++) expect((await t.get('/me', used.token)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(new Date((await keyRow(used.keyId))[0].last_used_at!)).toEqual(recent);
    });

    it('an expiry must be in the future and name its zone', async () => {
      const past = await t.post(
        keysUrl(org, account),
        { name: 'x', expiresAt: '2020-01-01T00:00:00Z' },
        org.admin.token,
      );
      expect(past.status).toBe(422);
      expect(past.body.code).toBe('INVALID_EXPIRY');
      const zoneless = await t.post(
        keysUrl(org, account),
        { name: 'x', expiresAt: '2099-01-01T00:00:00' },
        org.admin.token,
      );
      expect(zoneless.status).toBe(400);
      const unknownField = await t.post(
        keysUrl(org, account),
        { name: 'x', secret: 'mine' },
        org.admin.token,
      );
      expect(unknownField.status).toBe(400);
    });

    it('an account holds at most 10 keys', async () => {
      const busy = await createServiceAccount(t, org);
      for (let i = 1; i < 10; i++)
        expect((await t.post(keysUrl(org, busy), { name: `k${i}` }, org.admin.token)).status).toBe(201);
      const refused = await t.post(keysUrl(org, busy), { name: 'k10' }, org.admin.token);
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('TOO_MANY_API_KEYS');
    });

    it('verifyKey (for the client_credentials grant) names the account and its credential version, which revoking a key or disabling the account moves, ending the tokens', async () => {
      const verifier = t.app.get(ApiKeyVerifier);
      const client = await createServiceAccount(t, org);
      const spare = await t.post(keysUrl(org, client), { name: 'spare' }, org.admin.token);
      const before = await verifier.verifyKey(client.token);
      expect(before).toEqual({ userId: client.id, credentialVersion: expect.any(Number) });
      expect(await verifier.verifyKey('oak_nonsense')).toBeUndefined();
      await t.delete(`${keysUrl(org, client)}/${client.keyId}`, org.admin.token);
      expect(await verifier.verifyKey(client.token)).toBeUndefined();
      const after = await verifier.verifyKey(spare.body.secret);
      expect(after!.credentialVersion).toBe(before!.credentialVersion + 1);
      // A token issued for the version before the revocation no longer works; one for the new version
      // works until the account is disabled.
      expect((await t.get('/me', t.tokenFor(client.id, before!.credentialVersion))).status).toBe(401);
      const token = t.tokenFor(client.id, after!.credentialVersion);
      expect((await t.get('/me', token)).status).toBe(200);
      await t.patch(`${serviceAccountsUrl(org)}/${client.id}`, { disabled: true }, org.admin.token);
      expect((await t.get('/me', token)).status).toBe(401);
    });

    it('a key is found by an index on its hash, not by a scan', async () => {
      const plan = await t.orm.em.fork().transactional(async (em: EntityManager) => {
        await sql(em, 'set local enable_seqscan = off');
        return sql<{ 'QUERY PLAN': string }>(em, `explain ${API_KEY_CALLER_SQL}`, [sha256('x')]);
      });
      expect(plan.map((line) => line['QUERY PLAN']).join('\n')).toContain('api_keys_key_hash_unique');
    });
  });
});
