import { createGroup } from '../factories/groups.factory';
import { createMember, createOrganization, membershipTypeOf, TestOrganization } from '../factories/organizations.factory';
import { insertResource } from '../factories/resources.factory';
import { uniqueEmail } from '../factories/users.factory';
import { auditEvents } from '../support/audit-log';
import { TestApp } from '../support/test-app';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** A SCIM client as an identity provider runs one: an API key of an admin service account of the organization. */
async function scimKey(t: TestApp, org: TestOrganization, type: 'admin' | 'member' = 'admin'): Promise<string> {
  const account = await t.post(`/organizations/${org.id}/service-accounts`, { name: `SCIM ${type}`, type }, org.admin.token);
  if (account.status !== 201) throw new Error(`service account: ${JSON.stringify(account.body)}`);
  const key = await t.post(
    `/organizations/${org.id}/service-accounts/${account.body.id}/keys`,
    { name: 'provisioning' },
    org.admin.token,
  );
  if (key.status !== 201) throw new Error(`key: ${JSON.stringify(key.body)}`);
  return key.body.secret;
}

describe('SCIM 2.0', () => {
  let t: TestApp;
  let org: TestOrganization;
  let key: string;
  beforeAll(async () => {
    t = await TestApp.start();
    org = await createOrganization(t);
    key = await scimKey(t, org);
  });
  afterAll(() => t.close());

  const scim = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown, token = key) =>
    t.request(method, `/scim/v2${path}`, {
      token,
      body,
      headers: body === undefined ? {} : { 'content-type': 'application/scim+json' },
    });

  describe('as Okta provisions (developer.okta.com "SCIM 2.0 protocol reference")', () => {
    it('looks a user up, creates them, reads, updates and deactivates them; the organization follows', async () => {
      const email = uniqueEmail();
      const lookup = await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${email}"`)}&startIndex=1&count=100`);
      expect(lookup.status).toBe(200);
      expect(lookup.headers['content-type']).toMatch(/^application\/scim\+json/);
      expect(lookup.body).toMatchObject({ totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] });

      const created = await scim('POST', '/Users', {
        schemas: [USER],
        userName: email,
        name: { givenName: 'Ada', familyName: 'Lovelace' },
        emails: [{ primary: true, value: email, type: 'work' }],
        displayName: 'Ada Lovelace',
        locale: 'en-US',
        externalId: '00u1okta',
        groups: [],
        password: 'ignored-1234',
        active: true,
      });
      expect(created.status).toBe(201);
      expect(created.headers.location).toBe(`/scim/v2/Users/${created.body.id}`);
      expect(created.body).toMatchObject({
        schemas: [USER],
        userName: email,
        externalId: '00u1okta',
        name: { givenName: 'Ada', familyName: 'Lovelace' },
        active: true,
        roles: [{ value: 'member', primary: true }],
      });
      const id = created.body.id;
      expect(await membershipTypeOf(t, org, { id })).toBe('member');

      expect((await scim('GET', `/Users/${id}`)).body).toMatchObject({ id, userName: email, active: true });
      const found = await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${email.toUpperCase()}"`)}`);
      expect(found.body.totalResults).toBe(1);

      const replaced = await scim('PUT', `/Users/${id}`, {
        schemas: [USER],
        id,
        userName: email,
        name: { givenName: 'Augusta Ada', familyName: 'King' },
        emails: [{ primary: true, value: email, type: 'work' }],
        externalId: '00u1okta',
        active: true,
      });
      expect(replaced.status).toBe(200);
      expect(replaced.body.name).toMatchObject({ givenName: 'Augusta Ada', familyName: 'King' });

      const deactivated = await scim('PATCH', `/Users/${id}`, {
        schemas: [PATCH],
        Operations: [{ op: 'replace', value: { active: false } }],
      });
      expect(deactivated.status).toBe(200);
      expect(deactivated.body.active).toBe(false);
      expect(await membershipTypeOf(t, org, { id })).toBeNull();
      expect((await scim('GET', `/Users/${id}`)).body.active).toBe(false);

      const reactivated = await scim('PATCH', `/Users/${id}`, {
        schemas: [PATCH],
        Operations: [{ op: 'replace', value: { active: true } }],
      });
      expect(reactivated.body.active).toBe(true);
      expect(await membershipTypeOf(t, org, { id })).toBe('member');

      const actions = (await auditEvents(t, { organizationId: org.id, targetId: id })).map((e) => e.action);
      expect(actions).toEqual(['membership.added', 'membership.removed', 'membership.added']);
    });

    it('pushes a group: creates it, adds and removes members, renames and deletes it', async () => {
      const ann = await createMember(t, org.id, 'member');
      const bob = await createMember(t, org.id, 'member');
      const created = await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Okta Annotators', members: [] });
      expect(created.status).toBe(201);
      const id = created.body.id;

      const added = await scim('PATCH', `/Groups/${id}`, {
        schemas: [PATCH],
        Operations: [{ op: 'add', path: 'members', value: [{ value: ann.id, display: ann.email }, { value: bob.id, display: bob.email }] }],
      });
      expect(added.status).toBe(200);
      expect(added.body.members.map((m: any) => m.value).sort()).toEqual([ann.id, bob.id].sort());

      const removed = await scim('PATCH', `/Groups/${id}`, {
        schemas: [PATCH],
        Operations: [{ op: 'remove', path: `members[value eq "${ann.id}"]` }],
      });
      expect(removed.body.members).toEqual([{ value: bob.id, display: bob.email }]);

      const renamed = await scim('PATCH', `/Groups/${id}`, {
        schemas: [PATCH],
        Operations: [{ op: 'replace', value: { id, displayName: 'Okta Reviewers' } }],
      });
      expect(renamed.body.displayName).toBe('Okta Reviewers');
      const [group] = await t.sql(`select name from groups where id = ?`, [id]);
      expect(group.name).toBe('Okta Reviewers');

      expect((await scim('DELETE', `/Groups/${id}`)).status).toBe(204);
      expect((await scim('GET', `/Groups/${id}`)).status).toBe(404);
      const actions = (await auditEvents(t, { organizationId: org.id, targetId: id })).map((e) => e.action);
      expect(actions).toEqual(['group.created', 'group.members_added', 'group.member_removed', 'group.updated', 'group.deleted']);
    });
  });

  describe('as Entra ID provisions (learn.microsoft.com "Tutorial: Develop a sample SCIM endpoint")', () => {
    it('creates a user with an externalId, patches them with capitalised ops and string booleans, disables and deletes them', async () => {
      const email = uniqueEmail();
      const lookup = await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${email}"`)}`);
      expect(lookup.body.totalResults).toBe(0);
      const created = await scim('POST', '/Users', {
        schemas: [USER, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
        externalId: 'entra-0a1b',
        userName: email,
        active: true,
        emails: [{ primary: true, type: 'work', value: email }],
        meta: { resourceType: 'User' },
        name: { formatted: 'Grace Hopper', familyName: 'Hopper', givenName: 'Grace' },
        roles: [],
      });
      expect(created.status).toBe(201);
      const id = created.body.id;

      const byExternalId = await scim('GET', `/Users?filter=${encodeURIComponent('externalId eq "entra-0a1b"')}`);
      expect(byExternalId.body.Resources.map((u: any) => u.id)).toEqual([id]);

      const patched = await scim('PATCH', `/Users/${id}`, {
        schemas: [PATCH],
        Operations: [
          { op: 'Replace', path: 'displayName', value: 'Rear Admiral Hopper' },
          { op: 'Add', path: 'name.givenName', value: 'Grace Brewster' },
          { op: 'Replace', path: 'emails[type eq "work"].value', value: email },
          { op: 'Add', path: 'roles', value: [{ value: 'admin', primary: true }] },
        ],
      });
      expect(patched.status).toBe(200);
      expect(patched.body.name.givenName).toBe('Grace Brewster');
      expect(await membershipTypeOf(t, org, { id })).toBe('admin');

      // An admin cannot be removed (as for an organization admin's removal): demoted first, then disabled.
      const refused = await scim('PATCH', `/Users/${id}`, {
        schemas: [PATCH],
        Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
      });
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ code: 'ADMIN_NOT_REMOVABLE' });
      expect(await membershipTypeOf(t, org, { id })).toBe('admin');
      const demoted = await scim('PATCH', `/Users/${id}`, {
        schemas: [PATCH],
        Operations: [{ op: 'Replace', path: 'roles', value: [{ value: 'member' }] }],
      });
      expect(demoted.body.roles).toEqual([{ value: 'member', primary: true }]);
      const disabled = await scim('PATCH', `/Users/${id}`, {
        schemas: [PATCH],
        Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
      });
      expect(disabled.status).toBe(200);
      expect(disabled.body.active).toBe(false);
      expect(await membershipTypeOf(t, org, { id })).toBeNull();

      expect((await scim('DELETE', `/Users/${id}`)).status).toBe(204);
      expect((await scim('GET', `/Users/${id}`)).status).toBe(404);
      expect(await t.sql(`select 1 from scim_users where user_id = ?`, [id])).toHaveLength(0);
    });

    it('creates a group with an externalId, finds it by displayName without members, adds and removes members by value', async () => {
      const carol = await createMember(t, org.id, 'member');
      const created = await scim('POST', '/Groups', { schemas: [GROUP], externalId: 'entra-g1', displayName: 'Entra Labelers', members: [] });
      expect(created.status).toBe(201);
      const id = created.body.id;
      const found = await scim('GET', `/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "Entra Labelers"')}`);
      expect(found.body.Resources).toEqual([expect.objectContaining({ id, externalId: 'entra-g1', displayName: 'Entra Labelers' })]);
      expect(found.body.Resources[0].members).toBeUndefined();

      await scim('PATCH', `/Groups/${id}`, { schemas: [PATCH], Operations: [{ op: 'Add', path: 'members', value: [{ value: carol.id }] }] });
      const withCarol = await scim('GET', `/Groups?filter=${encodeURIComponent(`id eq "${id}" and members eq "${carol.id}"`)}`);
      expect(withCarol.body.totalResults).toBe(1);
      await scim('PATCH', `/Groups/${id}`, { schemas: [PATCH], Operations: [{ op: 'Remove', path: 'members', value: [{ value: carol.id }] }] });
      const without = await scim('GET', `/Groups?filter=${encodeURIComponent(`id eq "${id}" and members eq "${carol.id}"`)}`);
      expect(without.body.totalResults).toBe(0);
    });
  });

  it('deprovisioning the sole admin of resources is refused with a SCIM error naming them, and nothing changes', async () => {
    const owner = await createMember(t, org.id, 'member');
    const project = await insertResource(t, { kind: 'project', ownerId: owner.id, organizationId: org.id, title: 'Moon survey' });
    const response = await scim('PATCH', `/Users/${owner.id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: false }] });
    expect(response.status).toBe(409);
    expect(response.headers['content-type']).toMatch(/^application\/scim\+json/);
    expect(response.body).toMatchObject({ schemas: [ERROR], status: '409', code: 'REPLACEMENT_REQUIRED' });
    expect(response.body.detail).toContain('project "Moon survey"');
    expect(response.body.soleAdminOf).toEqual([expect.objectContaining({ id: project.id })]);
    expect(await membershipTypeOf(t, org, owner)).toBe('member');
    expect((await scim('DELETE', `/Users/${owner.id}`)).status).toBe(409);
    expect(await membershipTypeOf(t, org, owner)).toBe('member');
  });

  it('a user already provisioned is a uniqueness error, and two creations at once make one user', async () => {
    const email = uniqueEmail();
    const body = { schemas: [USER], userName: email, active: true };
    const answers = await Promise.all([scim('POST', '/Users', body), scim('POST', '/Users', body)]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    expect(answers.find((a) => a.status === 409)!.body).toMatchObject({ schemas: [ERROR], scimType: 'uniqueness' });
    const again = await scim('POST', '/Users', body);
    expect(again.status).toBe(409);
  });

  it('an externalId is unique in the organization: the second user is refused and not created', async () => {
    const first = await scim('POST', '/Users', { schemas: [USER], userName: uniqueEmail(), externalId: 'dup-1' });
    expect(first.status).toBe(201);
    const email = uniqueEmail();
    const second = await scim('POST', '/Users', { schemas: [USER], userName: email, externalId: 'dup-1' });
    expect(second.status).toBe(409);
    expect(second.body.scimType).toBe('uniqueness');
    expect(await t.sql(`select 1 from users u join memberships m on m.user_id = u.id where u.email = ?`, [email])).toHaveLength(0);
  });

  it.each([
    ['an unsupported operator', 'userName co "a"'],
    ['an unknown attribute', 'password eq "x"'],
    ['an unterminated string', 'userName eq "a'],
    ['a dangling and', 'userName eq "a" and'],
  ])('a filter with %s is invalidFilter, not an empty list', async (_, filter) => {
    const response = await scim('GET', `/Users?filter=${encodeURIComponent(filter)}`);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ schemas: [ERROR], status: '400', scimType: 'invalidFilter' });
  });

  it.each([
    ['not an email as userName', { schemas: [USER], userName: 'not-an-email' }],
    ['no body', 'null'],
    ['a list', []],
    ['a non-boolean active', { schemas: [USER], userName: uniqueEmail(), active: 'maybe' }],
    ['an unknown role', { schemas: [USER], userName: uniqueEmail(), roles: [{ value: 'owner' }] }],
  ])('a user with %s is invalidValue', async (_, body) => {
    const response = await scim('POST', '/Users', body);
    expect(response.status).toBe(400);
    expect(response.body.scimType).toBe('invalidValue');
  });

  it("userName is the email and cannot change through PATCH", async () => {
    const created = await scim('POST', '/Users', { schemas: [USER], userName: uniqueEmail() });
    const response = await scim('PATCH', `/Users/${created.body.id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'replace', path: 'userName', value: uniqueEmail() }],
    });
    expect(response.status).toBe(400);
  });

  describe('who may not', () => {
    it("a person's own token is refused: SCIM is for a service account's API key", async () => {
      const response = await scim('GET', '/Users', undefined, org.admin.token);
      expect(response.status).toBe(403);
      expect(response.body).toMatchObject({ schemas: [ERROR], code: 'SCIM_KEY_REQUIRED' });
    });

    it('a member service account is refused', async () => {
      const memberKey = await scimKey(t, org, 'member');
      expect((await scim('GET', '/Users', undefined, memberKey)).status).toBe(403);
      expect((await scim('POST', '/Users', { schemas: [USER], userName: uniqueEmail() }, memberKey)).status).toBe(403);
    });

    it('no credential, or a wrong key, is 401 in SCIM form', async () => {
      for (const token of [undefined, 'oak_wrong_key']) {
        const response = await t.request('GET', '/scim/v2/Users', { token });
        expect(response.status).toBe(401);
        expect(response.body.schemas).toEqual([ERROR]);
      }
    });

    it("another organization's users and groups are not found, and cannot be changed", async () => {
      const other = await createOrganization(t);
      const stranger = await createMember(t, other.id, 'member');
      const theirGroup = await createGroup(t, other.id, { name: 'Theirs' });
      expect((await scim('GET', `/Users/${stranger.id}`)).status).toBe(404);
      expect((await scim('GET', `/Users/${other.admin.id}`)).status).toBe(404);
      const patch = await scim('PATCH', `/Users/${stranger.id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: false }] });
      expect(patch.status).toBe(404);
      expect(await membershipTypeOf(t, other, stranger)).toBe('member');
      expect((await scim('GET', `/Groups/${theirGroup.id}`)).status).toBe(404);
      expect((await scim('DELETE', `/Groups/${theirGroup.id}`)).status).toBe(404);
      expect((await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${stranger.email}"`)}`)).body.totalResults).toBe(0);
      // Their members cannot be put in our groups either.
      const ours = await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Ours', members: [{ value: stranger.id }] });
      expect(ours.status).toBe(422);
      expect(ours.body.schemas).toEqual([ERROR]);
    });
  });

  it('the discovery documents describe what is supported', async () => {
    const config = await scim('GET', '/ServiceProviderConfig');
    expect(config.body).toMatchObject({ patch: { supported: true }, bulk: { supported: false }, filter: { supported: true } });
    expect((await scim('GET', '/ResourceTypes')).body.Resources.map((r: any) => r.id)).toEqual(['User', 'Group']);
    expect((await scim('GET', '/Schemas')).body.Resources.map((s: any) => s.id)).toEqual([USER, GROUP]);
  });
});
