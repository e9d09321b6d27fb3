import { createMember, createOrganization } from '../factories/organizations.factory';
import { addCollaborator, createResource, insertResource } from '../factories/resources.factory';
import { createPlatformAdmin, createUser } from '../factories/users.factory';
import { auditActions, auditEvents } from '../support/audit-log';
import { TestApp } from '../support/test-app';

describe('Resources: joining, datasets and ontology links', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  describe('joining', () => {
    it('an organization admin must join a project before opening it, and then is its admin', async () => {
      const org = await createOrganization(t);
      const member = await createMember(t, org.id, 'member');
      const project = await createResource(t, member, 'project');
      const before = await t.get(`/projects/${project.id}`, org.admin.token);
      expect(before.status).toBe(403);
      expect(before.body.code).toBe('JOIN_REQUIRED');
      const join = await t.post(
        `/organizations/${org.id}/projects/${project.id}/join`,
        undefined,
        org.admin.token,
      );
      expect(join.status).toBe(200);
      expect(join.body).toEqual({ role: 'admin' });
      const after = await t.get(`/projects/${project.id}`, org.admin.token);
      expect(after.status).toBe(200);
      expect(after.body.myRole).toBe('admin');
      expect(await auditActions(t, { targetId: project.id })).toEqual([
        'project.created',
        'collaborator.joined',
      ]);
    });

    it('joining again, or as a collaborator with a lesser role, leaves them admin', async () => {
      const org = await createOrganization(t);
      const dataset = await createResource(t, await createMember(t, org.id, 'member'), 'dataset');
      await addCollaborator(t, dataset.id, org.admin.id, 'user');
      for (let i = 0; i < 2; i++) {
        const join = await t.post(
          `/organizations/${org.id}/datasets/${dataset.id}/join`,
          undefined,
          org.admin.token,
        );
        expect(join.status).toBe(200);
      }
      const [row] = await t.sql('select role from collaborators where resource_id = ? and user_id = ?', [
        dataset.id,
        org.admin.id,
      ]);
      expect(row.role).toBe('admin');
    });

    it('a platform admin who joins becomes an external user of the organization, visible in its member list, and removable with the role', async () => {
      const org = await createOrganization(t);
      const operator = await createPlatformAdmin(t);
      const project = await createResource(t, await createMember(t, org.id, 'member'), 'project');
      const join = await t.post(
        `/organizations/${org.id}/projects/${project.id}/join`,
        undefined,
        operator.token,
      );
      expect(join.status).toBe(200);
      const members = await t.get(`/organizations/${org.id}/members?type=external`, org.admin.token);
      expect(members.body.items.map((m: { userId: string }) => m.userId)).toEqual([operator.id]);
      expect(await auditActions(t, { targetId: operator.id })).toEqual(['membership.added_by_invitation']);
      expect(
        (await t.delete(`/organizations/${org.id}/members/${operator.id}`, org.admin.token)).status,
      ).toBe(204);
      expect(
        await t.sql('select 1 from collaborators where resource_id = ? and user_id = ?', [
          project.id,
          operator.id,
        ]),
      ).toHaveLength(0);
    });

    it("members cannot join, and nobody joins another organization's resource through this one", async () => {
      const org = await createOrganization(t);
      const other = await createOrganization(t);
      const member = await createMember(t, org.id, 'member');
      const own = await createResource(t, member, 'ontology');
      const { id: foreign } = await insertResource(t, {
        kind: 'ontology',
        ownerId: other.admin.id,
        organizationId: other.id,
      });
      expect(
        (await t.post(`/organizations/${org.id}/ontologies/${own.id}/join`, undefined, member.token)).status,
      ).toBe(403);
      expect(
        (await t.post(`/organizations/${org.id}/ontologies/${foreign}/join`, undefined, org.admin.token))
          .status,
      ).toBe(404);
      expect(
        (await t.post(`/organizations/${org.id}/projects/${own.id}/join`, undefined, org.admin.token)).status,
      ).toBe(404);
    });
  });

  describe('links between a project and its datasets and ontology', () => {
    it('a project admin attaches and detaches a dataset they can read', async () => {
      const user = await createUser(t);
      const project = await createResource(t, user, 'project');
      const dataset = await createResource(t, user, 'dataset');
      const attached = await t.post(
        `/projects/${project.id}/datasets`,
        { datasetId: dataset.id },
        user.token,
      );
      expect(attached.status).toBe(201);
      expect(attached.body.datasetIds).toEqual([dataset.id]);
      expect(
        (await t.post(`/projects/${project.id}/datasets`, { datasetId: dataset.id }, user.token)).status,
      ).toBe(201);
      expect((await t.delete(`/projects/${project.id}/datasets/${dataset.id}`, user.token)).status).toBe(204);
      expect((await t.delete(`/projects/${project.id}/datasets/${dataset.id}`, user.token)).status).toBe(404);
      expect((await t.get(`/projects/${project.id}`, user.token)).body.datasetIds).toEqual([]);
      expect(await auditActions(t, { targetId: project.id })).toEqual([
        'project.created',
        'project.dataset_attached',
        'project.dataset_detached',
      ]);
    });

    it('a dataset with the `user` role is enough to attach it; one the admin cannot see is a 404, one they could join a 403', async () => {
      const org = await createOrganization(t);
      const member = await createMember(t, org.id, 'member');
      const project = await createResource(t, org.admin, 'project');
      const readable = await createResource(t, member, 'dataset');
      await addCollaborator(t, readable.id, org.admin.id, 'user');
      expect(
        (await t.post(`/projects/${project.id}/datasets`, { datasetId: readable.id }, org.admin.token))
          .status,
      ).toBe(201);
      const joinable = await createResource(t, member, 'dataset');
      const forbidden = await t.post(
        `/projects/${project.id}/datasets`,
        { datasetId: joinable.id },
        org.admin.token,
      );
      expect(forbidden.status).toBe(403);
      const { id: hidden } = await insertResource(t, {
        kind: 'dataset',
        ownerId: (await createUser(t)).id,
        organizationId: null,
      });
      expect(
        (await t.post(`/projects/${project.id}/datasets`, { datasetId: hidden }, org.admin.token)).status,
      ).toBe(404);
      const ontologyAsDataset = await createResource(t, org.admin, 'ontology');
      expect(
        (
          await t.post(
            `/projects/${project.id}/datasets`,
            { datasetId: ontologyAsDataset.id },
            org.admin.token,
          )
        ).status,
      ).toBe(404);
    });

    it('a project has one ontology: setting another replaces it, null removes it', async () => {
      const user = await createUser(t);
      const project = await createResource(t, user, 'project');
      const [first, second] = [
        await createResource(t, user, 'ontology'),
        await createResource(t, user, 'ontology'),
      ];
      const set = await t.put(`/projects/${project.id}/ontology`, { ontologyId: first.id }, user.token);
      expect(set.status).toBe(200);
      expect(set.body.ontologyId).toBe(first.id);
      expect(
        (await t.put(`/projects/${project.id}/ontology`, { ontologyId: second.id }, user.token)).body
          .ontologyId,
      ).toBe(second.id);
      expect(
        (await t.put(`/projects/${project.id}/ontology`, { ontologyId: null }, user.token)).body.ontologyId,
      ).toBeNull();
      expect((await t.put(`/projects/${project.id}/ontology`, {}, user.token)).status).toBe(400);
      const [event] = await auditEvents(t, { targetId: project.id, action: 'project.ontology_set' });
      expect(event.data).toEqual({ before: { ontologyId: null }, after: { ontologyId: first.id } });
    });

    it('an ontology the project admin cannot read cannot be set', async () => {
      const user = await createUser(t);
      const project = await createResource(t, user, 'project');
      const { id: hidden } = await insertResource(t, {
        kind: 'ontology',
        ownerId: (await createUser(t)).id,
        organizationId: null,
      });
      expect(
        (await t.put(`/projects/${project.id}/ontology`, { ontologyId: hidden }, user.token)).status,
      ).toBe(404);
    });
  });
});
