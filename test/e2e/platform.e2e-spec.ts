import { createOrganization } from '../factories/organizations.factory';
import { createPlatformAdmin, createUser, TestUser, uniqueEmail } from '../factories/users.factory';
import { auditActions, auditEvents } from '../support/audit-log';
import { TestApp } from '../support/test-app';

describe('Platform organizations', () => {
  let t: TestApp;
  let operator: TestUser;
  beforeAll(async () => {
    t = await TestApp.start();
    operator = await createPlatformAdmin(t);
  });
  afterAll(() => t.close());

  const create = (body: object, token = operator.token) => t.post('/platform/organizations', body, token);

  it('a platform admin creates an organization with domains and first admins, invited when unknown', async () => {
    const existing = await createUser(t);
    const response = await create({
      name: 'Acme Robotics',
      domains: ['Acme-Robotics.test', 'acme-robotics.test', 'robots.acme.test'],
      adminEmails: [existing.email, 'NEW.BOSS@acme-robotics.test'],
      isWorkforce: false,
    });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.any(String),
      name: 'Acme Robotics',
      isWorkforce: false,
      domains: ['acme-robotics.test', 'robots.acme.test'],
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
    });
    const admins = await t.sql(
      `select u.email, u.password_hash is null as invited, m.type from memberships m join users u on u.id = m.user_id
        where m.organization_id = ? order by u.email`,
      [response.body.id],
    );
    expect(admins).toEqual(
      [
        { email: existing.email, invited: false, type: 'admin' },
        { email: 'new.boss@acme-robotics.test', invited: true, type: 'admin' },
      ].sort((a, b) => a.email.localeCompare(b.email)),
    );
    expect(await auditEvents(t, { organizationId: response.body.id })).toMatchObject([
      { action: 'organization.created', actorId: operator.id },
    ]);
  });

  it('a domain that belongs to another organization is refused with DOMAIN_TAKEN and nothing is written', async () => {
    await createOrganization(t, { domains: ['taken-domain.test'] });
    const response = await create({
      name: 'Second Claim',
      domains: ['TAKEN-domain.test'],
      adminEmails: [uniqueEmail()],
    });
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('DOMAIN_TAKEN');
    expect(await t.sql(`select 1 from organizations where name = 'Second Claim'`)).toHaveLength(0);
  });

  it('concurrent claims of one domain give one organization and DOMAIN_TAKEN for the others', async () => {
    const responses = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        create({ name: `Racer ${i}`, domains: ['raced.test'], adminEmails: [uniqueEmail()] }),
      ),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409]);
    expect(responses.filter((r) => r.status === 409).every((r) => r.body.code === 'DOMAIN_TAKEN')).toBe(true);
    expect(await t.sql(`select 1 from organization_domains where domain = 'raced.test'`)).toHaveLength(1);
  });

  it.each(['gmail.com', 'outlook.com', 'proton.me'])(
    'the free-mail domain %s is refused with FREE_MAIL_DOMAIN',
    async (domain) => {
      const response = await create({
        name: `Free ${domain}`,
        domains: [domain],
        adminEmails: [uniqueEmail()],
      });
      expect(response.status).toBe(422);
      expect(response.body.code).toBe('FREE_MAIL_DOMAIN');
    },
  );

  it('an admin email of a user internal in another organization is refused with ALREADY_INTERNAL_ELSEWHERE', async () => {
    const first = await createOrganization(t);
    const response = await create({ name: 'Poacher', domains: [], adminEmails: [first.admin.email] });
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('ALREADY_INTERNAL_ELSEWHERE');
    expect(await t.sql(`select 1 from organizations where name = 'Poacher'`)).toHaveLength(0);
  });

  it("a first admin whose email's domain belongs to another organization is refused with DOMAIN_OF_OTHER_ORGANIZATION and nothing is written", async () => {
    const owner = await createOrganization(t, { domains: ['owned-people.test'] });
    const email = uniqueEmail('owned-people.test');
    const response = await create({
      name: 'Claimant',
      domains: ['claimant.test'],
      adminEmails: [uniqueEmail('claimant.test'), email],
    });
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('DOMAIN_OF_OTHER_ORGANIZATION');
    expect(await t.sql(`select 1 from organizations where name = 'Claimant'`)).toHaveLength(0);
    expect(await t.sql(`select 1 from users where email = ?`, [email])).toHaveLength(0);
    expect(await t.sql(`select 1 from organization_domains where domain = 'claimant.test'`)).toHaveLength(0);
    expect(owner.domains).toEqual(['owned-people.test']);
  });

  it('a name already used, in any letter case, is refused', async () => {
    await create({ name: 'Unique Name Inc', domains: [], adminEmails: [uniqueEmail()] });
    const response = await create({ name: 'unique name INC', domains: [], adminEmails: [uniqueEmail()] });
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('ORGANIZATION_NAME_TAKEN');
  });

  it('at least one admin email is required', async () => {
    const response = await create({ name: 'Nobody', domains: [], adminEmails: [] });
    expect(response.status).toBe(400);
    expect(response.body.errors.map((e: any) => e.path)).toContain('adminEmails');
  });

  it('a platform admin lists organizations page by page', async () => {
    const first = await t.get('/platform/organizations?limit=2', operator.token);
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    const second = await t.get(
      `/platform/organizations?limit=2&cursor=${first.body.nextCursor}`,
      operator.token,
    );
    expect(second.status).toBe(200);
    const ids = [...first.body.items, ...second.body.items].map((o: any) => o.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect((await t.get('/platform/organizations?limit=0', operator.token)).status).toBe(400);
    expect((await t.get('/platform/organizations?limit=201', operator.token)).status).toBe(400);
    expect((await t.get('/platform/organizations?cursor=garbage', operator.token)).status).toBe(400);
  });

  it('a platform admin renames an organization, sets the workforce flag and manages domains', async () => {
    const org = await createOrganization(t);
    const renamed = await t.patch(
      `/platform/organizations/${org.id}`,
      { name: 'Renamed Co', isWorkforce: true },
      operator.token,
    );
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'Renamed Co', isWorkforce: true });
    const added = await t.post(
      `/platform/organizations/${org.id}/domains`,
      { domain: 'More.Renamed.test' },
      operator.token,
    );
    expect(added.status).toBe(201);
    expect(added.body.domains).toContain('more.renamed.test');
    expect(
      (await t.delete(`/platform/organizations/${org.id}/domains/more.renamed.test`, operator.token)).status,
    ).toBe(204);
    expect(
      (await t.delete(`/platform/organizations/${org.id}/domains/more.renamed.test`, operator.token)).status,
    ).toBe(404);
    expect(await auditActions(t, { organizationId: org.id })).toEqual([
      'organization.created',
      'organization.updated',
      'organization.domain_added',
      'organization.domain_removed',
    ]);
  });

  it('a workforce organization whose people work elsewhere as workforce cannot drop the flag', async () => {
    const workforce = await createOrganization(t, { isWorkforce: true });
    const client = await createOrganization(t);
    await t.sql(
      `insert into memberships (id, organization_id, user_id, type, created_at) values (gen_random_uuid(), ?, ?, 'workforce', now())`,
      [client.id, workforce.admin.id],
    );
    const response = await t.patch(
      `/platform/organizations/${workforce.id}`,
      { isWorkforce: false },
      operator.token,
    );
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ code: 'WORKFORCE_IN_USE', workforceMembershipCount: 1 });
  });

  it('unknown fields are refused, never stored', async () => {
    const org = await createOrganization(t);
    const response = await t.patch(
      `/platform/organizations/${org.id}`,
      { name: 'X', id: 'hijack' },
      operator.token,
    );
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
  });

  it('an organization admin may not use the platform routes (403), nor may anyone without a token (401)', async () => {
    const org = await createOrganization(t);
    const body = { name: 'Not Yours', domains: [], adminEmails: [uniqueEmail()] };
    expect((await create(body, org.admin.token)).status).toBe(403);
    expect(
      (await t.patch(`/platform/organizations/${org.id}`, { isWorkforce: true }, org.admin.token)).status,
    ).toBe(403);
    expect((await t.post('/platform/organizations', body)).status).toBe(401);
  });
});
