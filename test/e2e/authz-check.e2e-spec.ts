import { randomUUID } from 'node:crypto';
import { createMember, createOrganization, TestOrganization } from '../factories/organizations.factory';
import { addCollaborator, giveGroupRole, insertResource } from '../factories/resources.factory';
import { createGroup } from '../factories/groups.factory';
import { createPlatformAdmin, createUser, TestUser } from '../factories/users.factory';
import { SentStatements } from '../support/sent-statements';
import { TestApp } from '../support/test-app';

type Question = { action: string; resource: { type: string; id: string } };
const about = (type: string, id: string, action: string): Question => ({ action, resource: { type, id } });

describe('The check API (POST /authz/check, GET .../permissions)', () => {
  let t: TestApp;
  let org: TestOrganization;
  let otherOrg: TestOrganization;
  let member: TestUser;
  let annotator: TestUser;
  let outsider: TestUser;
  let project: string;
  let foreignProject: string;
  let dataset: string;

  beforeAll(async () => {
    t = await TestApp.start();
    org = await createOrganization(t);
    otherOrg = await createOrganization(t);
    member = await createMember(t, org.id, 'member');
    annotator = await createMember(t, org.id, 'member');
    outsider = await createMember(t, otherOrg.id, 'member');
    project = (await insertResource(t, { kind: 'project', ownerId: member.id, organizationId: org.id })).id;
    await addCollaborator(t, project, annotator.id, 'annotator');
    dataset = (await insertResource(t, { kind: 'dataset', ownerId: member.id, organizationId: org.id })).id;
    foreignProject = (
      await insertResource(t, { kind: 'project', ownerId: otherOrg.admin.id, organizationId: otherOrg.id })
    ).id;
  });
  afterAll(() => t.close());

  const check = (token: string | undefined, checks: unknown, userId?: string) =>
    t.post('/authz/check', userId === undefined ? { checks } : { userId, checks }, token);
  const answers = (response: { body: { results: { allowed: boolean }[] } }) =>
    response.body.results.map((result) => result.allowed);

  it("answers a batch in order, from the caller's roles", async () => {
    const response = await check(annotator.token, [
      about('project', project, 'read'),
      about('project', project, 'update'),
      about('project', project, 'leave'),
      about('dataset', dataset, 'read'),
      about('organization', org.id, 'readMembers'),
      about('organization', org.id, 'addAdmins'),
    ]);
    expect(response.status).toBe(200);
    expect(answers(response)).toEqual([true, false, true, false, true, false]);
  });

  it('answers an unknown id, and a target the caller may not know exists, the same: not allowed', async () => {
    const response = await check(outsider.token, [
      about('project', randomUUID(), 'read'),
      about('project', project, 'read'),
      about('organization', randomUUID(), 'read'),
      about('organization', org.id, 'read'),
      // An id of another kind is no such resource.
      about('dataset', project, 'read'),
    ]);
    expect(response.status).toBe(200);
    expect(answers(response)).toEqual([false, false, false, false, false]);
  });

  it('asks the database once for a batch of 100 questions', async () => {
    const checks = Array.from({ length: 100 }, (_, i) =>
      i % 3 === 0
        ? about('organization', org.id, 'readGroups')
        : about(i % 3 === 1 ? 'project' : 'dataset', i % 2 ? project : dataset, 'read'),
    );
    const sent = new SentStatements();
    try {
      const response = await check(member.token, checks);
      expect(response.status).toBe(200);
      expect(response.body.results).toHaveLength(100);
    } finally {
      sent.stop();
    }
    expect(sent.all).toHaveLength(1);
  });

  it('lists what the caller may do on a project, exactly the buttons that work', async () => {
    const asAdmin = await t.get(`/projects/${project}/permissions`, member.token);
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.body.actions).toEqual([
      'read',
      'update',
      'delete',
      'readCollaborators',
      'invite',
      'grantAdmin',
      'manageCollaborators',
      'manageAdmins',
      'leave',
      'manageGroups',
      'manageLinks',
      'manageNotifications',
      'tag',
    ]);
    const asAnnotator = await t.get(`/projects/${project}/permissions`, annotator.token);
    expect(asAnnotator.body.actions).toEqual(['read', 'leave', 'tag']);
    // The organization's admin, who has not joined it: they may join and tag it, nothing else yet.
    const asOrganizationAdmin = await t.get(`/projects/${project}/permissions`, org.admin.token);
    expect(asOrganizationAdmin.body.actions).toEqual(['tag', 'join']);
  });

  it('answers 404 about a resource or organization the caller may not know exists, as its routes do', async () => {
    for (const url of [
      `/projects/${project}/permissions`,
      `/datasets/${dataset}/permissions`,
      `/projects/${randomUUID()}/permissions`,
      `/ontologies/${project}/permissions`,
      `/organizations/${org.id}/permissions`,
      '/projects/not-an-id/permissions',
    ]) {
      const response = await t.get(url, outsider.token);
      expect({ url, status: response.status, code: response.body.code }).toEqual({
        url,
        status: 404,
        code: 'NOT_FOUND',
      });
    }
  });

  it("lists an organization's actions by the caller's type there; workforce and externals may know it, no more", async () => {
    const asAdmin = await t.get(`/organizations/${org.id}/permissions`, org.admin.token);
    expect(asAdmin.body.actions).toEqual([
      'read',
      'readMembers',
      'addMembers',
      'addAdmins',
      'changeMemberTypes',
      'removeMembers',
      'readGroups',
      'manageGroups',
      'readTags',
      'manageTags',
      'listResources',
      'joinResources',
      'readAuditLog',
      'manageServiceAccounts',
      'manageApiKeys',
      'manageInvitations',
      'manageWebhooks',
    ]);
    const asMember = await t.get(`/organizations/${org.id}/permissions`, member.token);
    expect(asMember.body.actions).toEqual([
      'read',
      'readMembers',
      'addMembers',
      'readGroups',
      'readTags',
      'listResources',
    ]);
    const external = await createMember(t, org.id, 'external');
    const asExternal = await t.get(`/organizations/${org.id}/permissions`, external.token);
    expect(asExternal).toMatchObject({ status: 200, body: { actions: [] } });
    const operator = await createPlatformAdmin(t);
    const asOperator = await t.get(`/organizations/${org.id}/permissions`, operator.token);
    expect(asOperator.body.actions).toContain('update');
    expect(asOperator.body.actions).toContain('removeAdmins');
  });

  describe('about another user', () => {
    it("an organization's admin asks about one of its users: the user's own answers", async () => {
      const questions = [
        about('project', project, 'read'),
        about('project', project, 'update'),
        about('organization', org.id, 'readMembers'),
        about('organization', org.id, 'manageTags'),
      ];
      const own = await check(annotator.token, questions);
      const asked = await check(org.admin.token, questions, annotator.id);
      expect(asked.status).toBe(200);
      expect(answers(asked)).toEqual(answers(own));
      expect(answers(asked)).toEqual([true, false, true, false]);
    });

    it("is answered within the organizations the caller administers only: another tenant's targets are not allowed", async () => {
      // A user of both organizations: internal here, external there with the admin role on a project.
      const both = await createMember(t, org.id, 'member');
      await addCollaborator(t, foreignProject, both.id, 'admin');
      const questions = [
        about('project', foreignProject, 'update'),
        about('project', foreignProject, 'read'),
      ];
      expect(answers(await check(both.token, questions))).toEqual([true, true]);
      const asked = await check(org.admin.token, questions, both.id);
      expect(answers(asked)).toEqual([false, false]);
    });

    it('an admin of another organization asking about a user of this one is refused, as for an unknown user', async () => {
      const refused = await check(otherOrg.admin.token, [about('project', project, 'read')], annotator.id);
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('FORBIDDEN');
      const unknown = await check(otherOrg.admin.token, [about('project', project, 'read')], randomUUID());
      expect({ status: unknown.status, body: unknown.body }).toEqual({ status: 403, body: refused.body });
    });

    it('a member (not an admin) may not ask about another member', async () => {
      const response = await check(member.token, [about('project', project, 'read')], annotator.id);
      expect(response.status).toBe(403);
    });

    it('a service account that is an admin of the organization may ask, as any admin', async () => {
      // Service accounts are users with a membership in their organization (identity issue, part 1).
      const robot = await createMember(t, org.id, 'admin');
      const response = await check(robot.token, [about('project', project, 'read')], annotator.id);
      expect(answers(response)).toEqual([true]);
    });

    it('a platform admin asks about anyone', async () => {
      const operator = await createPlatformAdmin(t);
      const response = await check(
        operator.token,
        [about('project', project, 'read'), about('project', foreignProject, 'read')],
        annotator.id,
      );
      expect(answers(response)).toEqual([true, false]);
    });

    it('roles held through a group count, but leaving needs a direct role', async () => {
      const grouped = await createMember(t, org.id, 'member');
      const group = await createGroup(t, org.id, { memberIds: [grouped.id] });
      await giveGroupRole(t, project, group.id, 'reviewer');
      const response = await check(
        org.admin.token,
        [about('project', project, 'read'), about('project', project, 'leave')],
        grouped.id,
      );
      expect(answers(response)).toEqual([true, false]);
    });
  });

  describe('refused input', () => {
    it.each([
      [
        'more than 100 questions',
        { checks: Array.from({ length: 101 }, () => about('project', randomUUID(), 'read')) },
      ],
      ['no question', { checks: [] }],
      ['an unknown resource type', { checks: [about('group', randomUUID(), 'read')] }],
      ['an unknown action', { checks: [about('project', randomUUID(), 'fly')] }],
      ['an id that is not a uuid', { checks: [about('project', 'nope', 'read')] }],
      ['a question that is not an object', { checks: ['read'] }],
      ['a resource that is not an object', { checks: [{ action: 'read', resource: 'project' }] }],
      ['an unknown field', { checks: [{ ...about('project', randomUUID(), 'read'), extra: 1 }] }],
      [
        'an unknown field of the resource',
        { checks: [{ action: 'read', resource: { type: 'project', id: randomUUID(), x: 1 } }] },
      ],
      ['a userId that is not a uuid', { userId: 'me', checks: [about('project', randomUUID(), 'read')] }],
    ])('%s is 400', async (_, body) => {
      const response = await t.post('/authz/check', body, member.token);
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    });

    it('an action of another type of target is 400, naming the question', async () => {
      const response = await check(member.token, [
        about('project', project, 'read'),
        about('dataset', dataset, 'manageLinks'),
      ]);
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([
        { path: 'checks.1.action', message: 'manageLinks is not an action of a dataset' },
      ]);
    });

    it('no token, a bad token, and the token of a deleted user are 401', async () => {
      const gone = await createUser(t);
      await t.sql('delete from users where id = ?', [gone.id]);
      for (const token of [undefined, 'garbage', gone.token]) {
        expect((await check(token, [about('project', project, 'read')])).status).toBe(401);
        expect((await t.get(`/projects/${project}/permissions`, token)).status).toBe(401);
      }
    });
  });
});
