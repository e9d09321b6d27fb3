import { createGroup } from '../factories/groups.factory';
import {
  addMembership,
  createMember,
  createOrganization,
  TestOrganization,
} from '../factories/organizations.factory';
import { addCollaborator, giveGroupRole, insertResource } from '../factories/resources.factory';
import { createUser, TestUser } from '../factories/users.factory';
import { auditEvents } from '../support/audit-log';
import { TestApp } from '../support/test-app';

describe('Groups', () => {
  let t: TestApp;
  let org: TestOrganization;
  let member: TestUser;
  let workforce: TestUser;
  let external: TestUser;
  beforeAll(async () => {
    t = await TestApp.start();
    org = await createOrganization(t);
    member = await createMember(t, org.id, 'member', 'Bob Member');
    const workforceOrg = await createOrganization(t, { isWorkforce: true });
    workforce = await createMember(t, workforceOrg.id, 'member', 'Wanda Workforce');
    await addMembership(t, org.id, workforce, 'workforce');
    external = await createMember(t, org.id, 'external', 'Eve External');
  });
  afterAll(() => t.close());

  const groupsUrl = `/organizations/${'$ORG'}/groups`;
  const url = (path = '') => groupsUrl.replace('$ORG', org.id) + path;
  const auditOf = (groupId: string) => auditEvents(t, { organizationId: org.id, targetId: groupId });

  it('an admin creates a group with members; it is shown with them and audited', async () => {
    const response = await t.post(
      url(),
      { name: 'Annotators', description: 'Day shift', memberIds: [member.id, workforce.id, org.admin.id] },
      org.admin.token,
    );
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ name: 'Annotators', description: 'Day shift', memberCount: 3 });
    expect(response.body.members.map((m: any) => m.name)).toEqual([
      org.admin.name,
      'Bob Member',
      'Wanda Workforce',
    ]);
    expect(response.body.members[1]).toEqual({ userId: member.id, email: member.email, name: 'Bob Member' });
    const [event] = await auditOf(response.body.id);
    expect(event).toMatchObject({
      action: 'group.created',
      actorId: org.admin.id,
      data: { after: { name: 'Annotators', description: 'Day shift' } },
    });
    expect(event.data.memberIds.sort()).toEqual([member.id, workforce.id, org.admin.id].sort());
  });

  it('names are unique per organization whatever the case: GROUP_NAME_TAKEN', async () => {
    await createGroup(t, org.id, { name: 'Reviewers' });
    const response = await t.post(url(), { name: 'REVIEWERS' }, org.admin.token);
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('GROUP_NAME_TAKEN');
    // Another organization may use the name.
    const other = await createOrganization(t);
    expect(
      (await t.post(`/organizations/${other.id}/groups`, { name: 'Reviewers' }, other.admin.token)).status,
    ).toBe(201);
  });

  it('10 concurrent creations of one name (differently cased) make one group: one 201, the rest GROUP_NAME_TAKEN', async () => {
    const names = ['QA', 'qa', 'Qa', 'qA', 'QA', 'qa', 'Qa', 'qA', 'QA', 'qa'];
    const responses = await Promise.all(names.map((name) => t.post(url(), { name }, org.admin.token)));
    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    expect(responses.filter((r) => r.status !== 201).map((r) => `${r.status} ${r.body.code}`)).toEqual(
      Array(9).fill('409 GROUP_NAME_TAKEN'),
    );
    expect(
      await t.sql(`select 1 from groups where organization_id = ? and lower(name) = 'qa'`, [org.id]),
    ).toHaveLength(1);
  });

  it('a rename to a name taken by another group is GROUP_NAME_TAKEN; a change of case of its own name is fine', async () => {
    await createGroup(t, org.id, { name: 'Labellers' });
    const group = await createGroup(t, org.id, { name: 'Checkers' });
    const taken = await t.patch(url(`/${group.id}`), { name: 'labellers' }, org.admin.token);
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('GROUP_NAME_TAKEN');
    const recased = await t.patch(url(`/${group.id}`), { name: 'CHECKERS' }, org.admin.token);
    expect(recased.status).toBe(200);
    expect(recased.body.name).toBe('CHECKERS');
    const events = await auditOf(group.id);
    expect(events).toMatchObject([
      {
        action: 'group.updated',
        actorId: org.admin.id,
        data: { before: { name: 'Checkers', description: '' }, after: { name: 'CHECKERS', description: '' } },
      },
    ]);
  });

  it('members must be admins, members or workforce of the organization: NOT_ORG_USER names the others', async () => {
    const group = await createGroup(t, org.id);
    const stranger = await createUser(t);
    const elsewhere = await createOrganization(t);
    const response = await t.post(
      url(`/${group.id}/members`),
      { userIds: [member.id, external.id, stranger.id, elsewhere.admin.id] },
      org.admin.token,
    );
    expect(response.status).toBe(422);
    expect(response.body.code).toBe('NOT_ORG_USER');
    expect(response.body.userIds.sort()).toEqual([external.id, stranger.id, elsewhere.admin.id].sort());
    // All or nothing: the valid one was not added either.
    expect(await t.sql(`select 1 from group_members where group_id = ?`, [group.id])).toHaveLength(0);
    const create = await t.post(url(), { name: 'With outsiders', memberIds: [external.id] }, org.admin.token);
    expect(create.status).toBe(422);
    expect(await t.sql(`select 1 from groups where name = 'With outsiders'`)).toHaveLength(0);
  });

  it('adding members is idempotent and audited with who was actually added', async () => {
    const group = await createGroup(t, org.id, { memberIds: [member.id] });
    const response = await t.post(
      url(`/${group.id}/members`),
      { userIds: [member.id, workforce.id] },
      org.admin.token,
    );
    expect(response.status).toBe(200);
    expect(response.body.memberCount).toBe(2);
    expect(await auditOf(group.id)).toMatchObject([
      { action: 'group.members_added', actorId: org.admin.id, data: { userIds: [workforce.id] } },
    ]);
  });

  it('an admin removes a member from a group; removing someone not in it is 404', async () => {
    const group = await createGroup(t, org.id, { memberIds: [member.id] });
    expect((await t.delete(url(`/${group.id}/members/${member.id}`), org.admin.token)).status).toBe(204);
    const again = await t.delete(url(`/${group.id}/members/${member.id}`), org.admin.token);
    expect(again.status).toBe(404);
    expect((await auditOf(group.id)).map((e) => e.action)).toEqual(['group.member_removed']);
  });

  it("deleting a group takes away the roles its members had through it on the organization's resources", async () => {
    const group = await createGroup(t, org.id, { memberIds: [member.id] });
    const project = await insertResource(t, {
      kind: 'project',
      organizationId: org.id,
      ownerId: org.admin.id,
    });
    await giveGroupRole(t, project.id, group.id, 'annotator');
    await addCollaborator(t, project.id, workforce.id, 'reviewer');
    expect((await t.delete(url(`/${group.id}`), org.admin.token)).status).toBe(204);
    expect(await t.sql(`select 1 from resource_groups where group_id = ?`, [group.id])).toHaveLength(0);
    expect(await t.sql(`select 1 from group_members where group_id = ?`, [group.id])).toHaveLength(0);
    expect(await t.sql(`select 1 from collaborators where resource_id = ?`, [project.id])).toHaveLength(2);
    expect(await auditOf(group.id)).toMatchObject([
      {
        action: 'group.deleted',
        actorId: org.admin.id,
        data: { before: { name: group.name, description: '', memberIds: [member.id] } },
      },
    ]);
    expect((await t.get(url(`/${group.id}`), org.admin.token)).status).toBe(404);
  });

  it('internal users list groups by name, page by page', async () => {
    const listed = await createOrganization(t);
    const names = ['delta', 'Alpha', 'charlie', 'Bravo', 'echo'];
    for (const name of names) await createGroup(t, listed.id, { name });
    const reader = await createMember(t, listed.id, 'member');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await t.get(
        `/organizations/${listed.id}/groups?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        reader.token,
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((g: any) => g.name));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['Alpha', 'Bravo', 'charlie', 'delta', 'echo']);
  });

  it('a member reads a group with its members but cannot change it', async () => {
    const group = await createGroup(t, org.id, { memberIds: [workforce.id] });
    const read = await t.get(url(`/${group.id}`), member.token);
    expect(read.status).toBe(200);
    expect(read.body.members).toEqual([
      { userId: workforce.id, email: workforce.email, name: 'Wanda Workforce' },
    ]);
    expect((await t.patch(url(`/${group.id}`), { name: 'Mine now' }, member.token)).status).toBe(403);
    expect((await t.delete(url(`/${group.id}`), member.token)).status).toBe(403);
  });

  it('refuses empty names, unknown fields and non-uuid member ids', async () => {
    for (const body of [
      { name: '   ' },
      { name: 'Fine', owner: 'me' },
      { name: 'Fine', memberIds: ['bob'] },
    ]) {
      const response = await t.post(url(), body, org.admin.token);
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    }
  });

  it('a user removed from the organization while being added to a group is not left in it', async () => {
    const group = await createGroup(t, org.id);
    const users = await Promise.all(Array.from({ length: 10 }, () => createMember(t, org.id, 'member')));
    const responses = await Promise.all(
      users.flatMap((user) => [
        t.post(url(`/${group.id}/members`), { userIds: [user.id] }, org.admin.token),
        t.delete(`/organizations/${org.id}/members/${user.id}`, org.admin.token),
      ]),
    );
    // Each add either came first (200, then taken away by the removal) or after (422); never a 500.
    expect(responses.filter((r) => ![200, 204, 422].includes(r.status)).map((r) => r.body)).toEqual([]);
    expect(responses.filter((r) => r.status === 204)).toHaveLength(10);
    const stray = await t.sql(
      `select gm.user_id from group_members gm
        where gm.group_id = ? and not exists (select 1 from memberships m where m.organization_id = ? and m.user_id = gm.user_id)`,
      [group.id, org.id],
    );
    expect(stray).toEqual([]);
  });
});
