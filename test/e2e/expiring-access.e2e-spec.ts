import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ExpirySweeper } from '../../src/modules/resources/expiry-sweeper.service';
import { MailService } from '../../src/modules/mail/mail.service';
import { createMember, createOrganization, TestOrganization } from '../factories/organizations.factory';
import { addCollaborator, insertResource } from '../factories/resources.factory';
import { createUser, TestUser, uniqueEmail } from '../factories/users.factory';
import { auditEvents } from '../support/audit-log';
import { TestApp } from '../support/test-app';

const DAY = 24 * 60 * 60 * 1000;
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();

describe('Access that expires', () => {
  let t: TestApp;
  let org: TestOrganization;
  let owner: TestUser;

  beforeAll(async () => {
    t = await TestApp.start();
    org = await createOrganization(t);
    owner = await createMember(t, org.id, 'member');
  });
  afterAll(() => t.close());

  const project = async () =>
    (await insertResource(t, { kind: 'project', ownerId: owner.id, organizationId: org.id })).id;
  /** Time passes: the grant's expiry is now behind us. */
  const expireCollaborator = (resourceId: string, userId: string) =>
    t.sql(
      `update collaborators set expires_at = now() - interval '1 second' where resource_id = ? and user_id = ?`,
      [resourceId, userId],
    );
  const expireMembership = (userId: string) =>
    t.sql(
      `update memberships set expires_at = now() - interval '1 second' where organization_id = ? and user_id = ?`,
      [org.id, userId],
    );
  const sweep = () => t.app.get(ExpirySweeper).sweep();
  async function mailsTo(email: string): Promise<{ subject: string; text: string }[]> {
    await t.app.get(MailService).idle();
    const mails = [];
    for (const file of await readdir(t.mailDir)) {
      if (!file.endsWith('.json')) continue;
      const mail = JSON.parse(await readFile(join(t.mailDir, file), 'utf8'));
      if (mail.to === email) mails.push(mail);
    }
    return mails;
  }

  it('an admin adds an external user with an expiry; the member list shows it', async () => {
    const email = uniqueEmail();
    const expiresAt = inDays(30);
    const added = await t.post(
      `/organizations/${org.id}/members`,
      { email, type: 'external', expiresAt },
      org.admin.token,
    );
    expect(added.status).toBe(201);
    expect(added.body.expiresAt).toBe(expiresAt);
  });

  it('internal users never expire (422), and an expiry must lie ahead (400)', async () => {
    const internal = await t.post(
      `/organizations/${org.id}/members`,
      { email: uniqueEmail(), type: 'member', expiresAt: inDays(3) },
      org.admin.token,
    );
    expect(internal.status).toBe(422);
    expect(internal.body.code).toBe('INTERNAL_NEVER_EXPIRES');
    for (const expiresAt of [inDays(-1), '2030-01-01T00:00:00', 'tomorrow']) {
      const response = await t.post(
        `/organizations/${org.id}/members`,
        { email: uniqueEmail(), type: 'external', expiresAt },
        org.admin.token,
      );
      expect({ expiresAt, status: response.status }).toEqual({ expiresAt, status: 400 });
    }
  });

  it('from the instant a collaborator grant expires, the policy treats it as absent: routes, lists, check API', async () => {
    const id = await project();
    const guest = await createUser(t);
    const invited = await t.post(
      `/projects/${id}/collaborators`,
      { emails: [guest.email], role: 'annotator', expiresAt: inDays(10) },
      owner.token,
    );
    expect(invited.status).toBe(201);
    expect((await t.get(`/projects/${id}`, guest.token)).status).toBe(200);
    const listed = await t.get(`/projects/${id}/collaborators`, owner.token);
    expect(listed.body.users.find((u: { userId: string }) => u.userId === guest.id).expiresAt).not.toBeNull();

    await expireCollaborator(id, guest.id);
    expect((await t.get(`/projects/${id}`, guest.token)).status).toBe(404);
    expect((await t.get('/projects', guest.token)).body.items).toEqual([]);
    const check = await t.post(
      '/authz/check',
      { checks: [{ action: 'read', resource: { type: 'project', id } }] },
      guest.token,
    );
    expect(check.body.results).toEqual([{ allowed: false }]);
  });

  it('an admin changes the expiry later; null gives the access back for good', async () => {
    const id = await project();
    const guest = await createUser(t);
    await addCollaborator(t, id, guest.id, 'annotator');
    await expireCollaborator(id, guest.id);
    expect((await t.get(`/projects/${id}`, guest.token)).status).toBe(404);
    const changed = await t.patch(
      `/projects/${id}/collaborators/${guest.id}`,
      { role: 'annotator', expiresAt: null },
      owner.token,
    );
    expect(changed.status).toBe(200);
    expect((await t.get(`/projects/${id}`, guest.token)).status).toBe(200);
    const events = await auditEvents(t, { targetId: id, action: 'collaborator.expiry_changed' });
    expect(events).toHaveLength(1);
  });

  it("from the instant a guest's membership expires, they are absent from the organization and its resources", async () => {
    const guest = await createMember(t, org.id, 'external');
    const id = await project();
    await addCollaborator(t, id, guest.id, 'annotator');
    const patched = await t.patch(
      `/organizations/${org.id}/members/${guest.id}`,
      { expiresAt: inDays(5) },
      org.admin.token,
    );
    expect(patched.status).toBe(200);
    expect(patched.body.expiresAt).not.toBeNull();
    expect((await t.get(`/organizations/${org.id}/permissions`, guest.token)).status).toBe(200);

    await expireMembership(guest.id);
    expect((await t.get(`/organizations/${org.id}/permissions`, guest.token)).status).toBe(404);
    expect((await t.get(`/projects/${id}`, guest.token)).status).toBe(404);
    expect((await t.get('/me', guest.token)).body.memberships).toEqual([]);
  });

  it("only admins change a guest's expiry; an internal user's cannot be set", async () => {
    const guest = await createMember(t, org.id, 'external');
    const member = await createMember(t, org.id, 'member');
    const byMember = await t.patch(
      `/organizations/${org.id}/members/${guest.id}`,
      { expiresAt: inDays(5) },
      member.token,
    );
    expect(byMember.status).toBe(403);
    const onMember = await t.patch(
      `/organizations/${org.id}/members/${member.id}`,
      { expiresAt: inDays(5) },
      org.admin.token,
    );
    expect(onMember.status).toBe(422);
  });

  it('the sweeper removes expired grants and memberships with an audit event and a webhook event, once', async () => {
    // An endpoint subscribed to removals (written straight to the table: its URL is never called here).
    await t.sql(
      `insert into webhook_endpoints (organization_id, url, events, secret_ciphertext)
       values (?, 'https://192.0.2.1/expiry', '{membership.removed,collaborator.removed}', 'v1.probe.probe.probe')`,
      [org.id],
    );
    const id = await project();
    const collaborator = await createUser(t);
    await addCollaborator(t, id, collaborator.id, 'annotator');
    await expireCollaborator(id, collaborator.id);
    const guest = await createMember(t, org.id, 'external');
    await addCollaborator(t, id, guest.id, 'reviewer');
    await expireMembership(guest.id);

    // Two instances at once: each grant is taken by one of them.
    await Promise.all([sweep(), sweep()]);
    await sweep();
    const [{ count: collaborators }] = await t.sql<{ count: string }>(
      `select count(*) from collaborators where resource_id = ? and user_id in (?, ?)`,
      [id, collaborator.id, guest.id],
    );
    expect(Number(collaborators)).toBe(0);
    const [{ count: memberships }] = await t.sql<{ count: string }>(
      `select count(*) from memberships where organization_id = ? and user_id = ?`,
      [org.id, guest.id],
    );
    expect(Number(memberships)).toBe(0);
    const expired = await auditEvents(t, { targetId: id, action: 'collaborator.expired' });
    expect(expired.map((e) => e.data.userId)).toEqual([collaborator.id]);
    expect(expired[0].actorId).toBeNull();
    const removed = await auditEvents(t, { targetId: guest.id, action: 'membership.expired' });
    expect(removed).toHaveLength(1);
    const events = await t.sql<{ type: string; target_id: string }>(
      `select type, payload->'data'->>'targetId' as target_id from webhook_events
        where organization_id = ? and payload->'data'->>'action' in ('membership.expired', 'collaborator.expired')
          and payload->'data'->>'targetId' in (?, ?)`,
      [org.id, id, guest.id],
    );
    expect(events.map((e) => e.type).sort()).toEqual(['collaborator.removed', 'membership.removed']);
  });

  it("an expired grant that is a resource's last admin stays until someone takes over (it is already powerless)", async () => {
    const guest = await createUser(t);
    const { id } = await insertResource(t, { kind: 'dataset', ownerId: guest.id, organizationId: org.id });
    await expireCollaborator(id, guest.id);
    await sweep();
    expect((await t.get(`/datasets/${id}`, guest.token)).status).toBe(404);
    const [row] = await t.sql(`select role from collaborators where resource_id = ? and user_id = ?`, [
      id,
      guest.id,
    ]);
    expect(row.role).toBe('admin');
  });

  it("the organization's admins are warned seven days before, once per grant", async () => {
    const id = await project();
    const guest = await createUser(t);
    await t.post(
      `/projects/${id}/collaborators`,
      { emails: [guest.email], role: 'annotator', expiresAt: inDays(3) },
      owner.token,
    );
    const later = await createMember(t, org.id, 'external');
    await t.patch(`/organizations/${org.id}/members/${later.id}`, { expiresAt: inDays(30) }, org.admin.token);

    await sweep();
    await sweep();
    const mails = await mailsTo(org.admin.email);
    expect(mails.filter((m) => m.subject.includes(guest.email))).toHaveLength(1);
    expect(mails.filter((m) => m.subject.includes(later.email))).toHaveLength(0);
  });
});
