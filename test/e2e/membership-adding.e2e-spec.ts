import { insertResource } from '../factories/resources.factory';
import {
  createMember,
  createOrganization,
  membersUrl,
  membershipTypeOf,
  TestOrganization,
} from '../factories/organizations.factory';
import { createUser, TestUser, uniqueEmail } from '../factories/users.factory';
import { auditActions, auditEvents } from '../support/audit-log';
import { TestApp } from '../support/test-app';

describe('Organization members: adding users', () => {
  let t: TestApp;
  let workforceOrg: TestOrganization;
  beforeAll(async () => {
    t = await TestApp.start();
    workforceOrg = await createOrganization(t, { isWorkforce: true });
  });
  afterAll(() => t.close());

  let org: TestOrganization;
  let member: TestUser;
  beforeAll(async () => {
    org = await createOrganization(t);
    member = await createMember(t, org.id, 'member');
  });

  it('an unknown email becomes an invited user with the membership, and the change is audited', async () => {
    const email = uniqueEmail();
    const response = await t.post(
      membersUrl(org),
      { email: email.toUpperCase(), type: 'member' },
      member.token,
    );
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ email, name: '', type: 'member', status: 'invited' });
    const [event] = await auditEvents(t, {
      organizationId: org.id,
      action: 'membership.added',
      targetId: response.body.userId,
    });
    expect(event).toMatchObject({
      actorId: member.id,
      data: { email, type: 'member', status: 'invited' },
    });
  });

  it('a member cannot add an admin', async () => {
    const email = uniqueEmail();
    const response = await t.post(membersUrl(org), { email, type: 'admin' }, member.token);
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('FORBIDDEN');
    expect(await t.sql(`select 1 from users where email = ?`, [email])).toHaveLength(0);
  });

  it('an admin adds an admin', async () => {
    const response = await t.post(membersUrl(org), { email: uniqueEmail(), type: 'admin' }, org.admin.token);
    expect(response.status).toBe(201);
    expect(response.body.type).toBe('admin');
  });

  it('adding someone already in the organization is ALREADY_MEMBER', async () => {
    const response = await t.post(
      membersUrl(org),
      { email: member.email, type: 'external' },
      org.admin.token,
    );
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('ALREADY_MEMBER');
  });

  it.each(['admin', 'member'])(
    'making someone %s when they are internal in another organization is ALREADY_INTERNAL_ELSEWHERE',
    async (type) => {
      const elsewhere = await createOrganization(t);
      const internal = await createMember(t, elsewhere.id, 'member');
      const response = await t.post(membersUrl(org), { email: internal.email, type }, org.admin.token);
      expect(response.status).toBe(409);
      expect(response.body.code).toBe('ALREADY_INTERNAL_ELSEWHERE');
      expect(await membershipTypeOf(t, org, internal)).toBeNull();
    },
  );

  it.each(['admin', 'member'])(
    "making someone %s whose email's domain belongs to another organization is DOMAIN_OF_OTHER_ORGANIZATION, and nothing is written",
    async (type) => {
      const owner = await createOrganization(t);
      const email = uniqueEmail(owner.domains[0]).toUpperCase();
      const response = await t.post(membersUrl(org), { email, type }, org.admin.token);
      expect(response.status).toBe(409);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(response.body.code).toBe('DOMAIN_OF_OTHER_ORGANIZATION');
      expect(await t.sql(`select 1 from users where email = ?`, [email.toLowerCase()])).toHaveLength(0);
      expect(
        await t.sql(`select 1 from audit_events where data->>'email' = ?`, [email.toLowerCase()]),
      ).toHaveLength(0);
    },
  );

  it("people of another organization's domain can still be external here, and resource invitations make them external", async () => {
    const owner = await createOrganization(t);
    const added = await t.post(
      membersUrl(org),
      { email: uniqueEmail(owner.domains[0]), type: 'external' },
      member.token,
    );
    expect(added.status).toBe(201);
    expect(added.body.type).toBe('external');
    const project = await insertResource(t, {
      kind: 'project',
      organizationId: org.id,
      ownerId: org.admin.id,
    });
    const invited = await t.post(
      `/projects/${project.id}/collaborators`,
      { emails: [uniqueEmail(owner.domains[0])], role: 'annotator' },
      org.admin.token,
    );
    expect(invited.status).toBe(201);
    expect(invited.body.added[0].organizationType).toBe('external');
  });

  it('someone internal elsewhere can still be external here', async () => {
    const elsewhere = await createOrganization(t);
    const internal = await createMember(t, elsewhere.id, 'member');
    const response = await t.post(membersUrl(org), { email: internal.email, type: 'external' }, member.token);
    expect(response.status).toBe(201);
  });

  it('workforce needs the user to be internal in a workforce organization: NOT_WORKFORCE_ELIGIBLE otherwise', async () => {
    const stranger = await createUser(t);
    const response = await t.post(
      membersUrl(org),
      { email: stranger.email, type: 'workforce' },
      member.token,
    );
    expect(response.status).toBe(422);
    expect(response.body.code).toBe('NOT_WORKFORCE_ELIGIBLE');

    const ordinaryOrg = await createOrganization(t);
    const internalInOrdinary = await createMember(t, ordinaryOrg.id, 'member');
    const again = await t.post(
      membersUrl(org),
      { email: internalInOrdinary.email, type: 'workforce' },
      member.token,
    );
    expect(again.status).toBe(422);
    expect(again.body.code).toBe('NOT_WORKFORCE_ELIGIBLE');

    const contractor = await createMember(t, workforceOrg.id, 'member');
    const ok = await t.post(membersUrl(org), { email: contractor.email, type: 'workforce' }, member.token);
    expect(ok.status).toBe(201);
    expect(ok.body.type).toBe('workforce');
  });

  it('a workforce membership elsewhere does not make anyone workforce-eligible', async () => {
    const contractor = await createMember(t, workforceOrg.id, 'external');
    const response = await t.post(
      membersUrl(org),
      { email: contractor.email, type: 'workforce' },
      member.token,
    );
    expect(response.status).toBe(422);
    expect(response.body.code).toBe('NOT_WORKFORCE_ELIGIBLE');
  });

  it('a refused add leaves nothing behind: no invited user, no audit event', async () => {
    const before = await auditActions(t, { organizationId: org.id });
    const email = uniqueEmail();
    const response = await t.post(membersUrl(org), { email, type: 'workforce' }, org.admin.token);
    expect(response.status).toBe(422);
    expect(await t.sql(`select 1 from users where email = ?`, [email])).toHaveLength(0);
    expect(await auditActions(t, { organizationId: org.id })).toEqual(before);
  });

  it('refuses unknown types, bad emails and unknown fields', async () => {
    for (const body of [
      { email: uniqueEmail(), type: 'owner' },
      { email: 'not an email', type: 'member' },
      { email: uniqueEmail(), type: 'member', isPlatformAdmin: true },
    ]) {
      const response = await t.post(membersUrl(org), body, org.admin.token);
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    }
  });

  it('20 concurrent adds of the same email create one membership: one 201, the rest ALREADY_MEMBER', async () => {
    const email = uniqueEmail();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => t.post(membersUrl(org), { email, type: 'member' }, org.admin.token)),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([201, ...Array(19).fill(409)]);
    expect(new Set(responses.filter((r) => r.status === 409).map((r) => r.body.code))).toEqual(
      new Set(['ALREADY_MEMBER']),
    );
    const rows = await t.sql(
      `select m.type from memberships m join users u on u.id = m.user_id where u.email = ?`,
      [email],
    );
    expect(rows).toEqual([{ type: 'member' }]);
    const [{ users, invitations }] = await t.sql<{ users: string; invitations: string }>(
      `select count(distinct u.id) as users, count(i.id) as invitations
         from users u left join invitations i on i.user_id = u.id where u.email = ?`,
      [email],
    );
    expect({ users: Number(users), invitations: Number(invitations) }).toEqual({ users: 1, invitations: 1 });
    const added = await auditEvents(t, { organizationId: org.id, action: 'membership.added' });
    expect(added.filter((event) => event.data.email === email)).toHaveLength(1);
    expect(await t.mailsTo(email)).toHaveLength(1);
  });

  it('20 concurrent adds of one user as member of 20 organizations leave them internal in one only', async () => {
    const organizations = await Promise.all(Array.from({ length: 20 }, () => createOrganization(t)));
    const email = uniqueEmail();
    await createUser(t, { email });
    const responses = await Promise.all(
      organizations.map((o) => t.post(membersUrl(o), { email, type: 'member' }, o.admin.token)),
    );
    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    const refused = responses.filter((r) => r.status !== 201);
    expect(refused.map((r) => `${r.status} ${r.body.code}`)).toEqual(
      Array(19).fill('409 ALREADY_INTERNAL_ELSEWHERE'),
    );
  });
});
