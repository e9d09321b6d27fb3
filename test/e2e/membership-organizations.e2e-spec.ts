import { addMembership, createMember, createOrganization } from '../factories/organizations.factory';
import { createPlatformAdmin, createUser } from '../factories/users.factory';
import { TestApp } from '../support/test-app';

describe('Organization dashboards', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  it('GET /organizations lists the organizations where the caller is internal, and only those', async () => {
    const home = await createOrganization(t, { name: 'Home Corp' });
    const contracting = await createOrganization(t, { name: 'Contracting Ltd' });
    const workforce = await createOrganization(t, { name: 'Workforce Inc', isWorkforce: true });
    const user = await createMember(t, workforce.id, 'member');
    await addMembership(t, home.id, user, 'workforce');
    await addMembership(t, contracting.id, user, 'external');

    const mine = await t.get('/organizations', user.token);
    expect(mine.status).toBe(200);
    expect(mine.body).toEqual({
      items: [
        {
          id: workforce.id,
          name: 'Workforce Inc',
          isWorkforce: true,
          domains: workforce.domains,
          createdAt: expect.any(String),
        },
      ],
      nextCursor: null,
    });
    const admins = await t.get('/organizations', home.admin.token);
    expect(admins.body.items.map((o: any) => o.id)).toEqual([home.id]);
  });

  it('GET /organizations is empty for a user internal nowhere, platform admins included', async () => {
    for (const user of [await createUser(t), await createPlatformAdmin(t)]) {
      const response = await t.get('/organizations', user.token);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ items: [], nextCursor: null });
    }
  });

  it('GET /organizations needs credentials', async () => {
    expect((await t.get('/organizations')).status).toBe(401);
  });

  it('GET /organizations/{orgId} shows the organization to its internal users', async () => {
    const org = await createOrganization(t, { domains: ['dash-a.test', 'dash-b.test'] });
    const member = await createMember(t, org.id, 'member');
    const response = await t.get(`/organizations/${org.id}`, member.token);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      id: org.id,
      name: org.name,
      isWorkforce: false,
      domains: ['dash-a.test', 'dash-b.test'],
      createdAt: expect.stringMatching(/Z$/),
    });
  });

  it('an id that is not a uuid, or of no organization, is 404 for everyone', async () => {
    const operator = await createPlatformAdmin(t);
    for (const path of ['/organizations/nope', '/organizations/00000000-0000-4000-8000-000000000000']) {
      const response = await t.get(path, operator.token);
      expect(response.status).toBe(404);
      expect(response.body.code).toBe('NOT_FOUND');
    }
  });
});
