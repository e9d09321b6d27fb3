import { addGroupMember, createGroup } from '../factories/groups.factory';
import { createMember, createOrganization } from '../factories/organizations.factory';
import { addCollaborator, createResource, createTag, giveGroupRole } from '../factories/resources.factory';
import { createUser } from '../factories/users.factory';
import { auditActions } from '../support/audit-log';
import { TestApp } from '../support/test-app';

describe('Resources: notifications, tags on projects, group roles', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  describe('notifications', () => {
    it('a team manager adds a notification; recipients are invited like collaborators', async () => {
      const workforceOrg = await createOrganization(t, { isWorkforce: true });
      const contractor = await createMember(t, workforceOrg.id, 'member');
      const org = await createOrganization(t);
      const project = await createResource(t, org.admin, 'project');
      const manager = await createMember(t, org.id, 'member');
      await addCollaborator(t, project.id, manager.id, 'team_manager');
      const created = await t.post(
        `/projects/${project.id}/notifications`,
        {
          name: 'Reviews',
          events: ['task.reviewed', 'task.rejected'],
          recipientEmails: ['New.Person@Elsewhere.test', contractor.email, manager.email],
        },
        manager.token,
      );
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: 'Reviews', events: ['task.reviewed', 'task.rejected'] });
      expect(created.body.recipients.map((r: any) => r.email)).toEqual(
        [contractor.email, manager.email, 'new.person@elsewhere.test'].sort(),
      );
      const types = await t.sql(
        `select u.email, m.type from memberships m join users u on u.id = m.user_id where m.organization_id = ? order by u.email`,
        [org.id],
      );
      expect(types).toEqual(
        expect.arrayContaining([
          { email: contractor.email, type: 'workforce' },
          { email: manager.email, type: 'member' },
          { email: 'new.person@elsewhere.test', type: 'external' },
        ]),
      );

      const list = await t.get(`/projects/${project.id}/notifications`, manager.token);
      expect(list.body).toEqual({ items: [created.body], nextCursor: null });
      const removed = await t.delete(
        `/projects/${project.id}/notifications/${created.body.id}`,
        org.admin.token,
      );
      expect(removed.status).toBe(204);
      expect((await t.get(`/projects/${project.id}/notifications`, manager.token)).body.items).toEqual([]);
      expect(await auditActions(t, { targetId: project.id })).toEqual(
        expect.arrayContaining(['notification.created', 'notification.deleted']),
      );
    });

    it('unknown events, no events and no recipients are refused; an unknown notification is a 404', async () => {
      const user = await createUser(t);
      const project = await createResource(t, user, 'project');
      for (const body of [
        { name: 'N', events: ['task.exploded'], recipientEmails: ['a@b.test'] },
        { name: 'N', events: [], recipientEmails: ['a@b.test'] },
        { name: 'N', events: ['task.submitted'], recipientEmails: [] },
        { name: 'N', events: ['task.submitted'], recipientEmails: ['not an email'] },
      ]) {
        expect((await t.post(`/projects/${project.id}/notifications`, body, user.token)).status).toBe(400);
      }
      const unknown = await t.delete(
        `/projects/${project.id}/notifications/00000000-0000-4000-8000-000000000000`,
        user.token,
      );
      expect(unknown.status).toBe(404);
    });

    it('a reviewer may not see or manage notifications', async () => {
      const user = await createUser(t);
      const reviewer = await createUser(t);
      const project = await createResource(t, user, 'project');
      await addCollaborator(t, project.id, reviewer.id, 'reviewer');
      expect((await t.get(`/projects/${project.id}/notifications`, reviewer.token)).status).toBe(403);
    });
  });

  describe('tags on projects', () => {
    it("an internal collaborator puts the organization's tags on a project and takes them off; lists filter by them", async () => {
      const org = await createOrganization(t);
      const member = await createMember(t, org.id, 'member');
      const project = await createResource(t, org.admin, 'project');
      await addCollaborator(t, project.id, member.id, 'annotator');
      const tag = await createTag(t, org.id, 'Priority');
      const added = await t.post(`/projects/${project.id}/tags`, { tagId: tag }, member.token);
      expect(added.status).toBe(201);
      expect(added.body).toEqual({ id: tag, name: 'Priority' });
      expect((await t.post(`/projects/${project.id}/tags`, { tagId: tag }, member.token)).status).toBe(201);
      expect((await t.get(`/projects/${project.id}`, member.token)).body.tags).toEqual([
        { id: tag, name: 'Priority' },
      ]);
      const filtered = await t.get(`/organizations/${org.id}/projects?tags=${tag}`, member.token);
      expect(filtered.body.items.map((p: any) => p.id)).toEqual([project.id]);
      expect((await t.delete(`/projects/${project.id}/tags/${tag}`, member.token)).status).toBe(204);
      expect((await t.delete(`/projects/${project.id}/tags/${tag}`, member.token)).status).toBe(404);
      expect(await auditActions(t, { targetId: project.id })).toEqual([
        'project.created',
        'project.tag_added',
        'project.tag_removed',
      ]);
    });

    it('a tag of another organization, or an unknown one, is refused with TAG_OF_OTHER_ORG', async () => {
      const org = await createOrganization(t);
      const other = await createOrganization(t);
      const project = await createResource(t, org.admin, 'project');
      for (const tagId of [await createTag(t, other.id), '00000000-0000-4000-8000-000000000000']) {
        const refused = await t.post(`/projects/${project.id}/tags`, { tagId }, org.admin.token);
        expect(refused.status).toBe(422);
        expect(refused.body.code).toBe('TAG_OF_OTHER_ORG');
      }
      expect(await t.sql('select 1 from project_tags where project_id = ?', [project.id])).toHaveLength(0);
    });

    it('a project of no organization takes no tags', async () => {
      const loner = await createUser(t);
      const project = await createResource(t, loner, 'project');
      const tag = await createTag(t, (await createOrganization(t)).id);
      expect((await t.post(`/projects/${project.id}/tags`, { tagId: tag }, loner.token)).status).toBe(403);
    });
  });

  describe('group roles', () => {
    it("a group member's role on a resource goes away at once when they leave the group or the group is removed", async () => {
      const org = await createOrganization(t);
      const member = await createMember(t, org.id, 'member');
      const dataset = await createResource(t, org.admin, 'dataset');
      const group = await createGroup(t, org.id, { memberIds: [member.id] });
      expect((await t.get(`/datasets/${dataset.id}`, member.token)).status).toBe(404);
      const added = await t.post(
        `/datasets/${dataset.id}/groups`,
        { groupId: group.id, role: 'user' },
        org.admin.token,
      );
      expect(added.status).toBe(201);
      expect(added.body).toEqual({ groupId: group.id, name: group.name, role: 'user' });
      expect((await t.get(`/datasets/${dataset.id}`, member.token)).body.myRole).toBe('user');

      await t.sql('delete from group_members where group_id = ? and user_id = ?', [group.id, member.id]);
      expect((await t.get(`/datasets/${dataset.id}`, member.token)).status).toBe(404);
      await addGroupMember(t, group.id, member.id);
      expect((await t.get(`/datasets/${dataset.id}`, member.token)).status).toBe(200);
      expect((await t.delete(`/datasets/${dataset.id}/groups/${group.id}`, org.admin.token)).status).toBe(
        204,
      );
      expect((await t.get(`/datasets/${dataset.id}`, member.token)).status).toBe(404);
      expect((await t.delete(`/datasets/${dataset.id}/groups/${group.id}`, org.admin.token)).status).toBe(
        404,
      );
      expect(await auditActions(t, { targetId: dataset.id })).toEqual([
        'dataset.created',
        'resource_group.added',
        'resource_group.removed',
      ]);
    });

    it('the effective role is the strongest of the direct role and the group roles', async () => {
      const org = await createOrganization(t);
      const member = await createMember(t, org.id, 'member');
      const project = await createResource(t, org.admin, 'project');
      await addCollaborator(t, project.id, member.id, 'annotator');
      const managers = await createGroup(t, org.id, { memberIds: [member.id] });
      const reviewers = await createGroup(t, org.id, { memberIds: [member.id] });
      await giveGroupRole(t, project.id, reviewers.id, 'reviewer');
      expect((await t.get(`/projects/${project.id}`, member.token)).body.myRole).toBe('reviewer');
      await t.post(
        `/projects/${project.id}/groups`,
        { groupId: managers.id, role: 'team_manager' },
        org.admin.token,
      );
      expect((await t.get(`/projects/${project.id}`, member.token)).body.myRole).toBe('team_manager');
      // The group-granted team manager may now do what team managers do.
      const invite = await t.post(
        `/projects/${project.id}/collaborators`,
        { emails: ['helper@example.test'], role: 'annotator' },
        member.token,
      );
      expect(invite.status).toBe(201);
      const list = await t.get(`/projects/${project.id}/collaborators`, member.token);
      expect(list.body.groups.map((g: any) => [g.groupId, g.role]).sort()).toEqual(
        [
          [managers.id, 'team_manager'],
          [reviewers.id, 'reviewer'],
        ].sort(),
      );
      expect((await t.get('/projects', member.token)).body.items[0].myRole).toBe('team_manager');
    });

    it('a group of another organization, or an unknown one, is refused with GROUP_OF_OTHER_ORG', async () => {
      const org = await createOrganization(t);
      const other = await createOrganization(t);
      const project = await createResource(t, org.admin, 'project');
      const foreign = await createGroup(t, other.id);
      for (const groupId of [foreign.id, '00000000-0000-4000-8000-000000000000']) {
        const refused = await t.post(
          `/projects/${project.id}/groups`,
          { groupId, role: 'reviewer' },
          org.admin.token,
        );
        expect(refused.status).toBe(422);
        expect(refused.body.code).toBe('GROUP_OF_OTHER_ORG');
      }
      const loner = await createUser(t);
      const orphan = await createResource(t, loner, 'project');
      const refused = await t.post(
        `/projects/${orphan.id}/groups`,
        { groupId: foreign.id, role: 'reviewer' },
        loner.token,
      );
      expect(refused.body.code).toBe('GROUP_OF_OTHER_ORG');
      const wrongRole = await t.post(
        `/projects/${project.id}/groups`,
        { groupId: foreign.id, role: 'user' },
        org.admin.token,
      );
      expect(wrongRole.status).toBe(400);
    });
  });
});
