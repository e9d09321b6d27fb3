import { createGroup } from '../factories/groups.factory';
import { addMembership, createMember, createOrganization } from '../factories/organizations.factory';
import { addCollaborator, createResource, insertResource, roleOf } from '../factories/resources.factory';
import { createPlatformAdmin, createUser, signUpThroughApi, uniqueEmail } from '../factories/users.factory';
import { auditEvents } from '../support/audit-log';
import { TestApp } from '../support/test-app';

describe('Resource collaborators', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  describe('inviting', () => {
    it('one unknown email invited to several projects at once becomes one invited user with one membership, a collaborator of each', async () => {
      const org = await createOrganization(t);
      const projects = await Promise.all([1, 2, 3, 4].map(() => createResource(t, org.admin, 'project')));
      for (let round = 0; round < 5; round++) {
        const newcomer = uniqueEmail('concurrent.test');
        const answers = await Promise.all(
          projects.map((project) =>
            t.post(
              `/projects/${project.id}/collaborators`,
              { emails: [newcomer], role: 'annotator' },
              org.admin.token,
            ),
          ),
        );
        expect(answers.map((answer) => answer.status)).toEqual([201, 201, 201, 201]);
        const users = await t.sql<{ id: string }>('select id from users where email = ?', [newcomer]);
        expect(users).toHaveLength(1);
        expect(answers.map((answer) => answer.body.added)).toEqual(
          projects.map(() => [
            { userId: users[0].id, email: newcomer, role: 'annotator', organizationType: 'external' },
          ]),
        );
        expect(
          await t.sql('select type from memberships where organization_id = ? and user_id = ?', [
            org.id,
            users[0].id,
          ]),
        ).toEqual([{ type: 'external' }]);
        for (const project of projects) expect(await roleOf(t, project.id, users[0].id)).toBe('annotator');
      }
    });

    it("people without a membership in the resource's organization become workforce or external there, and the answer says which", async () => {
      const workforceOrg = await createOrganization(t, { isWorkforce: true });
      const plainOrg = await createOrganization(t);
      const org = await createOrganization(t);
      const contractor = await createMember(t, workforceOrg.id, 'member');
      const internalElsewhere = await createMember(t, plainOrg.id, 'admin');
      const colleague = await createMember(t, org.id, 'member');
      const alreadyExternal = await createMember(t, org.id, 'external');
      const project = await createResource(t, org.admin, 'project');
      const newcomer = uniqueEmail('newcomer.test');

      const invited = await t.post(
        `/projects/${project.id}/collaborators`,
        {
          emails: [
            contractor.email,
            internalElsewhere.email,
            colleague.email,
            alreadyExternal.email,
            newcomer,
          ],
          role: 'annotator',
        },
        org.admin.token,
      );
      expect(invited.status).toBe(201);
      const byEmail = Object.fromEntries(invited.body.added.map((a: any) => [a.email, a]));
      expect(byEmail[contractor.email]).toEqual({
        userId: contractor.id,
        email: contractor.email,
        role: 'annotator',
        organizationType: 'workforce',
      });
      expect(byEmail[internalElsewhere.email].organizationType).toBe('external');
      expect(byEmail[colleague.email].organizationType).toBe('member');
      expect(byEmail[alreadyExternal.email].organizationType).toBe('external');
      expect(byEmail[newcomer].organizationType).toBe('external');

      const [user] = await t.sql('select password_hash from users where email = ?', [newcomer]);
      expect(user.password_hash).toBeNull();
      const memberships = await t.sql(
        `select u.email, m.type from memberships m join users u on u.id = m.user_id where m.organization_id = ?`,
        [org.id],
      );
      expect(memberships).toEqual(
        expect.arrayContaining([
          { email: contractor.email, type: 'workforce' },
          { email: internalElsewhere.email, type: 'external' },
          { email: newcomer, type: 'external' },
        ]),
      );
      expect(
        await auditEvents(t, { organizationId: org.id, action: 'membership.added_by_invitation' }),
      ).toHaveLength(3);
      expect(await auditEvents(t, { targetId: project.id, action: 'collaborator.added' })).toHaveLength(5);
    });

    it('a workforce user of O stays workforce, and inviting to a resource of no organization gives no type', async () => {
      const workforceOrg = await createOrganization(t, { isWorkforce: true });
      const org = await createOrganization(t);
      const contractor = await createMember(t, workforceOrg.id, 'member');
      await addMembership(t, org.id, contractor, 'workforce');
      const dataset = await createResource(t, org.admin, 'dataset');
      const again = await t.post(
        `/datasets/${dataset.id}/collaborators`,
        { emails: [contractor.email], role: 'user' },
        org.admin.token,
      );
      expect(again.body.added[0].organizationType).toBe('workforce');

      const loner = await createUser(t);
      const orphan = await createResource(t, loner, 'dataset');
      const invited = await t.post(
        `/datasets/${orphan.id}/collaborators`,
        { emails: [contractor.email], role: 'user' },
        loner.token,
      );
      expect(invited.body.added[0].organizationType).toBeNull();
      expect(await t.sql('select 1 from memberships where user_id = ?', [contractor.id])).toHaveLength(2);
    });

    it('an invited email that signs up later finds the resource in their list', async () => {
      const owner = await createUser(t);
      const ontology = await createResource(t, owner, 'ontology');
      const email = uniqueEmail('later.test');
      await t.post(
        `/ontologies/${ontology.id}/collaborators`,
        { emails: [email.toUpperCase()], role: 'user' },
        owner.token,
      );
      const signedUp = await signUpThroughApi(t, { email });
      const mine = await t.get('/ontologies', signedUp.token);
      expect(mine.body.items.map((o: any) => [o.id, o.myRole])).toEqual([[ontology.id, 'user']]);
    });

    it("roles are those of the resource's kind", async () => {
      const owner = await createUser(t);
      const dataset = await createResource(t, owner, 'dataset');
      const project = await createResource(t, owner, 'project');
      const wrong = await t.post(
        `/datasets/${dataset.id}/collaborators`,
        { emails: ['a@b.test'], role: 'annotator' },
        owner.token,
      );
      expect(wrong.status).toBe(400);
      expect(wrong.body.errors).toEqual([expect.objectContaining({ path: 'role' })]);
      const alsoWrong = await t.post(
        `/projects/${project.id}/collaborators`,
        { emails: ['a@b.test'], role: 'user' },
        owner.token,
      );
      expect(alsoWrong.status).toBe(400);
      const nonsense = await t.post(
        `/projects/${project.id}/collaborators`,
        { emails: ['a@b.test'], role: 'owner' },
        owner.token,
      );
      expect(nonsense.status).toBe(400);
      const noEmails = await t.post(
        `/projects/${project.id}/collaborators`,
        { emails: [], role: 'reviewer' },
        owner.token,
      );
      expect(noEmails.status).toBe(400);
      expect(await t.sql('select 1 from users where email = ?', ['a@b.test'])).toHaveLength(0);
    });

    it('inviting someone who already collaborates gives them the new role', async () => {
      const owner = await createUser(t);
      const project = await createResource(t, owner, 'project');
      const annotator = await createUser(t);
      await addCollaborator(t, project.id, annotator.id, 'annotator');
      const invited = await t.post(
        `/projects/${project.id}/collaborators`,
        { emails: [annotator.email], role: 'reviewer' },
        owner.token,
      );
      expect(invited.status).toBe(201);
      expect(await roleOf(t, project.id, annotator.id)).toBe('reviewer');
      const [event] = await auditEvents(t, { targetId: project.id, action: 'collaborator.role_changed' });
      expect(event.data).toMatchObject({
        userId: annotator.id,
        before: { role: 'annotator' },
        after: { role: 'reviewer' },
      });
    });

    it('inviting a newcomer with someone who already collaborates adds the newcomer once and re-roles the other', async () => {
      const owner = await createUser(t);
      const project = await createResource(t, owner, 'project');
      const annotator = await createUser(t);
      await addCollaborator(t, project.id, annotator.id, 'annotator');
      const newcomer = uniqueEmail('newcomer.test');
      const invited = await t.post(
        `/projects/${project.id}/collaborators`,
        { emails: [newcomer, annotator.email], role: 'reviewer' },
        owner.token,
      );
      expect(invited.status).toBe(201);
      const [{ id: newcomerId }] = await t.sql<{ id: string }>('select id from users where email = ?', [
        newcomer,
      ]);
      // The answer's order is not the request's: compare who was added.
      expect(invited.body.added.map((a: { userId: string }) => a.userId).sort()).toEqual(
        [newcomerId, annotator.id].sort(),
      );
      expect(await roleOf(t, project.id, newcomerId)).toBe('reviewer');
      expect(await roleOf(t, project.id, annotator.id)).toBe('reviewer');
      const added = await auditEvents(t, { targetId: project.id, action: 'collaborator.added' });
      expect(added.map((event) => event.data.userId).filter((id) => id !== owner.id)).toEqual([newcomerId]);
      expect(
        await auditEvents(t, { targetId: project.id, action: 'collaborator.role_changed' }),
      ).toHaveLength(1);
    });
  });

  describe('team managers', () => {
    let owner: Awaited<ReturnType<typeof createUser>>;
    let manager: Awaited<ReturnType<typeof createUser>>;
    let projectId: string;
    beforeEach(async () => {
      owner = await createUser(t);
      manager = await createUser(t);
      projectId = (await insertResource(t, { kind: 'project', ownerId: owner.id, organizationId: null })).id;
      await addCollaborator(t, projectId, manager.id, 'team_manager');
    });

    it('a team manager invites, re-roles and removes non-admin collaborators', async () => {
      const invited = await t.post(
        `/projects/${projectId}/collaborators`,
        { emails: ['tm.helper@example.test'], role: 'annotator' },
        manager.token,
      );
      expect(invited.status).toBe(201);
      const helperId = invited.body.added[0].userId;
      const changed = await t.patch(
        `/projects/${projectId}/collaborators/${helperId}`,
        { role: 'annotator_reviewer' },
        manager.token,
      );
      expect(changed.status).toBe(200);
      expect(changed.body).toEqual({ userId: helperId, role: 'annotator_reviewer' });
      expect((await t.delete(`/projects/${projectId}/collaborators/${helperId}`, manager.token)).status).toBe(
        204,
      );
      expect(await roleOf(t, projectId, helperId)).toBeNull();
    });

    it('a team manager cannot invite an admin, promote to admin, demote or remove an admin', async () => {
      const other = await createUser(t);
      await addCollaborator(t, projectId, other.id, 'reviewer');
      const asAdmin = await t.post(
        `/projects/${projectId}/collaborators`,
        { emails: ['x@example.test'], role: 'admin' },
        manager.token,
      );
      expect(asAdmin.status).toBe(403);
      expect(await t.sql('select 1 from users where email = ?', ['x@example.test'])).toHaveLength(0);
      expect(
        (await t.patch(`/projects/${projectId}/collaborators/${other.id}`, { role: 'admin' }, manager.token))
          .status,
      ).toBe(403);
      expect(
        (
          await t.patch(
            `/projects/${projectId}/collaborators/${owner.id}`,
            { role: 'reviewer' },
            manager.token,
          )
        ).status,
      ).toBe(403);
      expect((await t.delete(`/projects/${projectId}/collaborators/${owner.id}`, manager.token)).status).toBe(
        403,
      );
      // Re-inviting an admin's email with a lesser role would demote them: same refusal.
      const demoteByInvite = await t.post(
        `/projects/${projectId}/collaborators`,
        { emails: [owner.email], role: 'annotator' },
        manager.token,
      );
      expect(demoteByInvite.status).toBe(403);
      expect(await roleOf(t, projectId, owner.id)).toBe('admin');
      expect(await roleOf(t, projectId, other.id)).toBe('reviewer');
      // With a newcomer: refused whole, the newcomer is not written either.
      const newcomer = uniqueEmail('newcomer.test');
      const withNewcomer = await t.post(
        `/projects/${projectId}/collaborators`,
        { emails: [newcomer, owner.email], role: 'annotator' },
        manager.token,
      );
      expect(withNewcomer.status).toBe(403);
      expect(await t.sql('select 1 from users where email = ?', [newcomer])).toHaveLength(0);
      expect(await roleOf(t, projectId, owner.id)).toBe('admin');
    });

    it('a team manager may not add groups or attach datasets', async () => {
      expect(
        (
          await t.post(
            `/projects/${projectId}/groups`,
            { groupId: owner.id, role: 'reviewer' },
            manager.token,
          )
        ).status,
      ).toBe(403);
      expect(
        (await t.put(`/projects/${projectId}/ontology`, { ontologyId: null }, manager.token)).status,
      ).toBe(403);
    });
  });

  describe('the last admin', () => {
    it('the only admin can be neither demoted nor removed', async () => {
      const owner = await createUser(t);
      const dataset = await createResource(t, owner, 'dataset');
      const demote = await t.patch(
        `/datasets/${dataset.id}/collaborators/${owner.id}`,
        { role: 'user' },
        owner.token,
      );
      expect(demote.status).toBe(409);
      expect(demote.body.code).toBe('LAST_ADMIN');
      const remove = await t.delete(`/datasets/${dataset.id}/collaborators/${owner.id}`, owner.token);
      expect(remove.status).toBe(409);
      expect(remove.body.code).toBe('LAST_ADMIN');
      expect(await roleOf(t, dataset.id, owner.id)).toBe('admin');
    });

    it('a group granting admin does not count: the last direct admin stays', async () => {
      const org = await createOrganization(t);
      const project = await createResource(t, org.admin, 'project');
      const group = await createGroup(t, org.id, { name: 'Admins' });
      await t.post(`/projects/${project.id}/groups`, { groupId: group.id, role: 'admin' }, org.admin.token);
      const remove = await t.delete(`/projects/${project.id}/collaborators/${org.admin.id}`, org.admin.token);
      expect(remove.body.code).toBe('LAST_ADMIN');
    });

    it('with two admins, one may step down or be removed', async () => {
      const owner = await createUser(t);
      const second = await createUser(t);
      const project = await createResource(t, owner, 'project');
      await addCollaborator(t, project.id, second.id, 'admin');
      expect(
        (
          await t.patch(
            `/projects/${project.id}/collaborators/${owner.id}`,
            { role: 'reviewer' },
            owner.token,
          )
        ).status,
      ).toBe(200);
      expect(
        (
          await t.patch(
            `/projects/${project.id}/collaborators/${second.id}`,
            { role: 'reviewer' },
            second.token,
          )
        ).body.code,
      ).toBe('LAST_ADMIN');
    });

    it('concurrent removals of the last two admins of a project leave one', async () => {
      const operator = await createPlatformAdmin(t);
      for (let round = 0; round < 5; round++) {
        const [a, b] = [await createUser(t), await createUser(t)];
        const { id: project } = await insertResource(t, {
          kind: 'project',
          ownerId: a.id,
          organizationId: null,
        });
        await addCollaborator(t, project, b.id, 'admin');
        // Each admin removes the other, and a platform admin removes both, all at once.
        const answers = await Promise.all([
          t.delete(`/projects/${project}/collaborators/${b.id}`, a.token),
          t.delete(`/projects/${project}/collaborators/${a.id}`, b.token),
          t.delete(`/projects/${project}/collaborators/${a.id}`, operator.token),
          t.delete(`/projects/${project}/collaborators/${b.id}`, operator.token),
        ]);
        const admins = await t.sql(
          `select user_id from collaborators where resource_id = ? and role = 'admin'`,
          [project],
        );
        expect(admins).toHaveLength(1);
        expect(answers.filter((answer) => answer.status === 204)).toHaveLength(1);
        expect(answers.every((answer) => [204, 409, 404].includes(answer.status))).toBe(true);
      }
    });

    it('the database itself refuses to lose the last admin, whatever the code does', async () => {
      const owner = await createUser(t);
      const { id: project } = await insertResource(t, {
        kind: 'project',
        ownerId: owner.id,
        organizationId: null,
      });
      await expect(
        t.sql('delete from collaborators where resource_id = ? and user_id = ?', [project, owner.id]),
      ).rejects.toThrow(/LAST_ADMIN/);
      await expect(
        t.sql(`update collaborators set role = 'reviewer' where resource_id = ?`, [project]),
      ).rejects.toThrow(/LAST_ADMIN/);
    });
  });

  describe('changing and removing', () => {
    it('someone who is not a collaborator is a 404, and the answer names the change', async () => {
      const owner = await createUser(t);
      const project = await createResource(t, owner, 'project');
      const stranger = await createUser(t);
      expect(
        (
          await t.patch(
            `/projects/${project.id}/collaborators/${stranger.id}`,
            { role: 'reviewer' },
            owner.token,
          )
        ).status,
      ).toBe(404);
      expect(
        (await t.delete(`/projects/${project.id}/collaborators/${stranger.id}`, owner.token)).status,
      ).toBe(404);
      expect(
        (await t.patch(`/projects/${project.id}/collaborators/${stranger.id}`, { role: 'user' }, owner.token))
          .status,
      ).toBe(400);
    });

    it('removing a collaborator takes their access away and is audited', async () => {
      const owner = await createUser(t);
      const reviewer = await createUser(t);
      const project = await createResource(t, owner, 'project');
      await addCollaborator(t, project.id, reviewer.id, 'reviewer');
      expect((await t.get(`/projects/${project.id}`, reviewer.token)).status).toBe(200);
      expect(
        (await t.delete(`/projects/${project.id}/collaborators/${reviewer.id}`, owner.token)).status,
      ).toBe(204);
      expect((await t.get(`/projects/${project.id}`, reviewer.token)).status).toBe(404);
      const [event] = await auditEvents(t, { targetId: project.id, action: 'collaborator.removed' });
      expect(event).toMatchObject({
        actorId: owner.id,
        data: { userId: reviewer.id, before: { role: 'reviewer' } },
      });
    });
  });
});
