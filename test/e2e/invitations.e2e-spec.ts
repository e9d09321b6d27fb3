import {
  createOrganization,
  membersUrl,
  membershipTypeOf,
  TestOrganization,
} from '../factories/organizations.factory';
import { createMember } from '../factories/organizations.factory';
import { addCollaborator, createResource, roleOf } from '../factories/resources.factory';
import {
  createPlatformAdmin,
  DEFAULT_PASSWORD,
  mailedToken,
  uniqueEmail,
  uniqueName,
} from '../factories/users.factory';
import { auditEvents } from '../support/audit-log';
import { TestApp } from '../support/test-app';

const DAY = 24 * 60 * 60 * 1000;

describe('Invitations people can see', () => {
  let t: TestApp;
  let org: TestOrganization;
  beforeAll(async () => {
    t = await TestApp.start();
    org = await createOrganization(t, { name: uniqueName('Acme') });
  });
  afterAll(() => t.close());

  const invitationsUrl = (o: { id: string } = org) => `/organizations/${o.id}/invitations`;

  /** Adds an unknown email to the organization as a member: an invitation. */
  async function inviteMember(email = uniqueEmail(), o: TestOrganization = org) {
    const added = await t.post(membersUrl(o), { email, type: 'member' }, o.admin.token);
    expect(added.status).toBe(201);
    return { email, userId: added.body.userId as string };
  }

  async function invitationOf(email: string, o: TestOrganization = org) {
    const page = await t.get(`${invitationsUrl(o)}?limit=200`, o.admin.token);
    expect(page.status).toBe(200);
    return page.body.items.find((i: { email: string }) => i.email === email);
  }

  /** The invited person signs up and opens the verification link. */
  async function signUp(email: string) {
    const signup = await t.post('/auth/signup', {
      email,
      password: DEFAULT_PASSWORD,
      name: 'Invited Person',
    });
    expect(signup.status).toBe(201);
    return t.post('/auth/verify-email', { token: await mailedToken(t, email) });
  }

  it('an admin adding an unknown email sends a mail naming the organization and the admin, with a sign-up link', async () => {
    const { email } = await inviteMember();
    const mail = await t.lastMailTo(email);
    expect(mail.subject).toBe(`You are invited to join ${org.name}`);
    expect(mail.text).toContain(
      `${org.admin.name} (${org.admin.email}) invited you to the organization "${org.name}"`,
    );
    expect(mail.text).toContain(`http://localhost:3000/signup?email=${encodeURIComponent(email)}`);
  });

  it('the invitation is listed as pending with its type, who invited, and an expiry 14 days on', async () => {
    const { email } = await inviteMember();
    const invitation = await invitationOf(email);
    expect(invitation).toEqual({
      id: expect.any(String),
      email,
      type: 'member',
      invitedBy: org.admin.id,
      createdAt: expect.any(String),
      expiresAt: expect.any(String),
    });
    const lifetime = Date.parse(invitation.expiresAt) - Date.parse(invitation.createdAt);
    expect(Math.abs(lifetime - 14 * DAY)).toBeLessThan(60_000);
  });

  it('inviting an unknown email to a project mails its title, organization, inviter and role', async () => {
    const project = await createResource(t, org.admin, 'project', { title: 'Road signs' });
    const email = uniqueEmail();
    const invited = await t.post(
      `/projects/${project.id}/collaborators`,
      { emails: [email], role: 'annotator_reviewer' },
      org.admin.token,
    );
    expect(invited.status).toBe(201);
    const mail = await t.lastMailTo(email);
    expect(mail.subject).toBe(`${org.admin.name} invited you to the project "Road signs"`);
    expect(mail.text).toContain(
      `invited you to the project "Road signs" of the organization "${org.name}" as annotator reviewer`,
    );
    expect((await invitationOf(email)).type).toBe('external');
  });

  it('an invitation rolled back with its request is neither kept nor mailed', async () => {
    const project = await createResource(t, org.admin, 'project');
    const manager = await createMember(t, org.id, 'member');
    await addCollaborator(t, project.id, manager.id, 'team_manager');
    const email = uniqueEmail();
    // Team managers never touch admins: the second email fails the request after the first was invited.
    const refused = await t.post(
      `/projects/${project.id}/collaborators`,
      { emails: [email, org.admin.email], role: 'annotator' },
      manager.token,
    );
    expect(refused.status).toBe(403);
    expect(await t.mailsTo(email)).toEqual([]);
    expect(await invitationOf(email)).toBeUndefined();
  });

  it('people who already have an account get no invitation', async () => {
    const user = await createMember(t, (await createOrganization(t)).id, 'member');
    const project = await createResource(t, org.admin, 'project');
    await t.post(
      `/projects/${project.id}/collaborators`,
      { emails: [user.email], role: 'annotator' },
      org.admin.token,
    );
    expect(await t.mailsTo(user.email)).toEqual([]);
    expect(await invitationOf(user.email)).toBeUndefined();
  });

  it('signing up before the expiry keeps the membership and the roles; the invitation leaves the list', async () => {
    const project = await createResource(t, org.admin, 'project');
    const { email, userId } = await inviteMember();
    await t.post(
      `/projects/${project.id}/collaborators`,
      { emails: [email], role: 'reviewer' },
      org.admin.token,
    );
    const verified = await signUp(email);
    expect(verified.status).toBe(200);
    expect(verified.body.memberships).toEqual([expect.objectContaining({ type: 'member' })]);
    expect(await roleOf(t, project.id, userId)).toBe('reviewer');
    expect(await invitationOf(email)).toBeUndefined();
    expect(
      (await auditEvents(t, { organizationId: org.id, action: 'invitation.accepted' })).map(
        (e) => e.targetId,
      ),
    ).toContain(userId);
  });

  it('an expired invitation grants nothing at sign-up: no membership, no role', async () => {
    const project = await createResource(t, org.admin, 'project');
    const { email, userId } = await inviteMember();
    await t.post(
      `/projects/${project.id}/collaborators`,
      { emails: [email], role: 'reviewer' },
      org.admin.token,
    );
    const { id } = await invitationOf(email);
    await t.sql(`update invitations set expires_at = now() - interval '1 second' where id = ?`, [id]);
    const verified = await signUp(email);
    expect(verified.status).toBe(200);
    expect(verified.body.memberships).toEqual([]);
    expect(await membershipTypeOf(t, org, { id: userId })).toBeNull();
    expect(await roleOf(t, project.id, userId)).toBeNull();
    expect(
      (await auditEvents(t, { organizationId: org.id, action: 'invitation.expired' })).map((e) => e.targetId),
    ).toContain(userId);
  });

  it('resending mails again and renews the expiry, so an expired invitation grants again', async () => {
    const { email, userId } = await inviteMember();
    const { id } = await invitationOf(email);
    await t.sql(`update invitations set expires_at = now() - interval '1 day' where id = ?`, [id]);
    const resent = await t.post(`${invitationsUrl()}/${id}/resend`, undefined, org.admin.token);
    expect(resent.status).toBe(202);
    expect(await t.mailsTo(email)).toHaveLength(2);
    expect(Date.parse((await invitationOf(email)).expiresAt)).toBeGreaterThan(Date.now() + 13 * DAY);
    expect((await signUp(email)).body.memberships).toEqual([expect.objectContaining({ type: 'member' })]);
    expect(await membershipTypeOf(t, org, { id: userId })).toBe('member');
  });

  it('revoking takes the membership and the roles away, and the person signs up to nothing', async () => {
    const project = await createResource(t, org.admin, 'project');
    const { email, userId } = await inviteMember();
    await t.post(
      `/projects/${project.id}/collaborators`,
      { emails: [email], role: 'reviewer' },
      org.admin.token,
    );
    const { id } = await invitationOf(email);
    expect((await t.delete(`${invitationsUrl()}/${id}`, org.admin.token)).status).toBe(204);
    expect(await invitationOf(email)).toBeUndefined();
    expect(await roleOf(t, project.id, userId)).toBeNull();
    expect((await t.delete(`${invitationsUrl()}/${id}`, org.admin.token)).status).toBe(404);
    expect((await t.post(`${invitationsUrl()}/${id}/resend`, undefined, org.admin.token)).status).toBe(404);
    expect((await signUp(email)).body.memberships).toEqual([]);
    expect(
      (await auditEvents(t, { organizationId: org.id, action: 'invitation.revoked' })).map((e) => e.targetId),
    ).toContain(userId);
  });

  it("the last admin's invitation cannot be revoked", async () => {
    const operator = await createPlatformAdmin(t);
    const email = uniqueEmail();
    const created = await t.post(
      '/platform/organizations',
      { name: uniqueName('Lone'), domains: [`lone-${Date.now()}.test`], adminEmails: [email] },
      operator.token,
    );
    expect(created.status).toBe(201);
    const page = await t.get(invitationsUrl(created.body), operator.token);
    expect(page.body.items).toEqual([
      expect.objectContaining({ email, type: 'admin', invitedBy: operator.id }),
    ]);
    expect((await t.lastMailTo(email)).text).toContain(
      `invited you to the organization "${created.body.name}"`,
    );
    const revoked = await t.delete(
      `${invitationsUrl(created.body)}/${page.body.items[0].id}`,
      operator.token,
    );
    expect(revoked.status).toBe(409);
    expect(revoked.body.code).toBe('LAST_ADMIN');
  });

  it("another organization's invitation is never served through this organization's path", async () => {
    const other = await createOrganization(t);
    const { email } = await inviteMember(uniqueEmail(), other);
    const { id } = await invitationOf(email, other);
    for (const response of [
      await t.post(`${invitationsUrl()}/${id}/resend`, undefined, org.admin.token),
      await t.delete(`${invitationsUrl()}/${id}`, org.admin.token),
    ])
      expect(response.status).toBe(404);
    // The other organization's admin cannot reach ours at all.
    expect((await t.get(invitationsUrl(), other.admin.token)).status).toBe(404);
    expect(await invitationOf(email, other)).toBeDefined();
    expect(await t.mailsTo(email)).toHaveLength(1);
  });

  it('members may not see, resend or revoke invitations', async () => {
    const member = await createMember(t, org.id, 'member');
    const { email } = await inviteMember();
    const { id } = await invitationOf(email);
    expect((await t.get(invitationsUrl(), member.token)).status).toBe(403);
    expect((await t.post(`${invitationsUrl()}/${id}/resend`, undefined, member.token)).status).toBe(403);
    expect((await t.delete(`${invitationsUrl()}/${id}`, member.token)).status).toBe(403);
  });

  it('20 rounds of a revoke racing the sign-up: revoked and nothing granted, or accepted and kept; never a 500', async () => {
    const outcomes = { revoked: 0, accepted: 0 };
    for (let round = 0; round < 20; round++) {
      const project = await createResource(t, org.admin, 'project');
      const { email, userId } = await inviteMember();
      await t.post(
        `/projects/${project.id}/collaborators`,
        { emails: [email], role: 'reviewer' },
        org.admin.token,
      );
      const { id } = await invitationOf(email);
      const signup = await t.post('/auth/signup', { email, password: DEFAULT_PASSWORD, name: 'Racer' });
      expect(signup.status).toBe(201);
      const token = await mailedToken(t, email);
      const [revoked, verified] = await Promise.all([
        t.delete(`${invitationsUrl()}/${id}`, org.admin.token),
        t.post('/auth/verify-email', { token }),
      ]);
      expect(verified.status).toBe(200);
      const type = await membershipTypeOf(t, org, { id: userId });
      const role = await roleOf(t, project.id, userId);
      if (revoked.status === 204) {
        outcomes.revoked++;
        expect([type, role]).toEqual([null, null]);
      } else {
        expect(revoked.status).toBe(404);
        outcomes.accepted++;
        expect([type, role]).toEqual(['member', 'reviewer']);
      }
    }
    expect(outcomes.revoked + outcomes.accepted).toBe(20);
  });
});

describe('INVITATION_TTL', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start({ INVITATION_TTL: '1' });
  });
  afterAll(() => t.close());

  it('sets how long an invitation holds: signing up after it grants nothing', async () => {
    const org = await createOrganization(t);
    const email = uniqueEmail();
    const added = await t.post(membersUrl(org), { email, type: 'member' }, org.admin.token);
    expect(added.status).toBe(201);
    const [invitation] = (await t.get(`/organizations/${org.id}/invitations`, org.admin.token)).body.items;
    expect(Date.parse(invitation.expiresAt) - Date.parse(invitation.createdAt)).toBeLessThan(1500);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    await t.post('/auth/signup', { email, password: DEFAULT_PASSWORD, name: 'Too Late' });
    const verified = await t.post('/auth/verify-email', { token: await mailedToken(t, email) });
    expect(verified.status).toBe(200);
    expect(verified.body.memberships).toEqual([]);
  });
});
