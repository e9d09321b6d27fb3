import {
  addMembership,
  createMember,
  createOrganization,
  TestOrganization,
} from '../factories/organizations.factory';
import { addCollaborator, insertResource } from '../factories/resources.factory';
import { createPlatformAdmin, TestUser } from '../factories/users.factory';
import { auditEvents } from '../support/audit-log';
import { TestApp } from '../support/test-app';

describe('Project tags', () => {
  let t: TestApp;
  let org: TestOrganization;
  let admin: TestUser;
  let member: TestUser;

  /** A project of the organization (or of none), with its owner as admin: the id. */
  const project = async (organizationId: string | null, owner: TestUser) =>
    (await insertResource(t, { kind: 'project', ownerId: owner.id, organizationId })).id;

  const createTag = async (name: string, token = admin.token, orgId = org.id) =>
    t.post(`/organizations/${orgId}/tags`, { name }, token);

  beforeAll(async () => {
    t = await TestApp.start();
    org = await createOrganization(t);
    admin = org.admin;
    member = await createMember(t, org.id, 'member');
  });
  afterAll(() => t.close());

  describe('names', () => {
    it('an admin creates a tag with a trimmed name', async () => {
      const response = await createTag('  Urgent  ');
      expect(response.status).toBe(201);
      expect(response.body).toEqual({ id: expect.any(String), name: 'Urgent', projectCount: 0 });
    });

    it('a name used in the organization in another letter case is refused with TAG_NAME_TAKEN', async () => {
      await createTag('Medical');
      const again = await createTag('MEDICAL');
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('TAG_NAME_TAKEN');
    });

    it('the same name in another organization is fine', async () => {
      const other = await createOrganization(t);
      await createTag('Shared Name');
      expect((await createTag('shared name', other.admin.token, other.id)).status).toBe(201);
    });

    it('two concurrent creations of one name give one 201 and one 409 TAG_NAME_TAKEN', async () => {
      for (let round = 0; round < 5; round++) {
        const name = `Race ${round}`;
        const [a, b] = await Promise.all([createTag(name), createTag(name.toUpperCase())]);
        expect([a.status, b.status].sort()).toEqual([201, 409]);
        expect([a, b].find((r) => r.status === 409)!.body.code).toBe('TAG_NAME_TAKEN');
      }
    });

    it.each([[''], ['   '], ['x'.repeat(51)]])('the name %j is refused with 400', async (name) => {
      const response = await createTag(name);
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    });

    it('renaming onto a name in use is refused; renaming a tag to another case of its own name is fine', async () => {
      const a = await createTag('Alpha');
      await createTag('Beta');
      const clash = await t.patch(
        `/organizations/${org.id}/tags/${a.body.id}`,
        { name: 'beta' },
        admin.token,
      );
      expect(clash.status).toBe(409);
      expect(clash.body.code).toBe('TAG_NAME_TAKEN');
      const recase = await t.patch(
        `/organizations/${org.id}/tags/${a.body.id}`,
        { name: 'ALPHA' },
        admin.token,
      );
      expect(recase.status).toBe(200);
      expect(recase.body.name).toBe('ALPHA');
    });

    it('a tag of another organization cannot be renamed or removed through this one (404)', async () => {
      const other = await createOrganization(t);
      const foreign = await createTag('Foreign', other.admin.token, other.id);
      expect(
        (await t.patch(`/organizations/${org.id}/tags/${foreign.body.id}`, { name: 'Mine' }, admin.token))
          .status,
      ).toBe(404);
      expect(
        (await t.delete(`/organizations/${org.id}/tags/${foreign.body.id}?confirm=true`, admin.token)).status,
      ).toBe(404);
    });
  });

  describe('listing', () => {
    it('internal users list the tags with their project counts, page by page', async () => {
      const local = await createOrganization(t);
      const p1 = await project(local.id, local.admin);
      const p2 = await project(local.id, local.admin);
      const tag = (await createTag('Counted', local.admin.token, local.id)).body;
      await createTag('Unused', local.admin.token, local.id);
      await t.post(`/projects/${p1}/tags`, { tagId: tag.id }, local.admin.token);
      await t.post(`/projects/${p2}/tags`, { tagId: tag.id }, local.admin.token);
      const localMember = await createMember(t, local.id, 'member');
      const first = await t.get(`/organizations/${local.id}/tags?limit=1`, localMember.token);
      expect(first.status).toBe(200);
      expect(first.body.items).toEqual([{ id: tag.id, name: 'Counted', projectCount: 2 }]);
      const second = await t.get(
        `/organizations/${local.id}/tags?limit=1&cursor=${first.body.nextCursor}`,
        localMember.token,
      );
      expect(second.body.items).toEqual([expect.objectContaining({ name: 'Unused', projectCount: 0 })]);
      expect(second.body.nextCursor).toBeNull();
    });
  });

  describe('removal', () => {
    it('a tag in use is not removed without confirmation: 409 TAG_IN_USE with the project count', async () => {
      const tag = (await createTag('In Use')).body;
      const p = await project(org.id, admin);
      await t.post(`/projects/${p}/tags`, { tagId: tag.id }, admin.token);
      const refused = await t.delete(`/organizations/${org.id}/tags/${tag.id}`, admin.token);
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ code: 'TAG_IN_USE', projectCount: 1 });
      expect(await t.sql('select 1 from tags where id = ?', [tag.id])).toHaveLength(1);
    });

    it('with confirm=true the tag leaves every project and the removal is audited with the count', async () => {
      const tag = (await createTag('Doomed')).body;
      const projects = [
        await project(org.id, admin),
        await project(org.id, admin),
        await project(org.id, admin),
      ];
      for (const p of projects) await t.post(`/projects/${p}/tags`, { tagId: tag.id }, admin.token);
      expect(
        (await t.delete(`/organizations/${org.id}/tags/${tag.id}?confirm=true`, admin.token)).status,
      ).toBe(204);
      expect(await t.sql('select 1 from project_tags where tag_id = ?', [tag.id])).toHaveLength(0);
      const [event] = await auditEvents(t, { targetId: tag.id, action: 'tag.deleted' });
      expect(event.data).toEqual({ name: 'Doomed', projectCount: 3 });
    });

    it('30 rounds of a tag removed while projects are tagged with it and created with it: 204, 201 or 422 TAG_OF_OTHER_ORG, never a 500, and no project keeps the tag', async () => {
      const statuses: number[] = [];
      for (let round = 0; round < 30; round++) {
        const tag = (await createTag(`Removed while used ${round}`)).body;
        const p = await project(org.id, admin);
        const answers = await Promise.all([
          t.delete(`/organizations/${org.id}/tags/${tag.id}?confirm=true`, admin.token),
          t.post(`/projects/${p}/tags`, { tagId: tag.id }, admin.token),
          t.post('/projects', { title: `Race ${round}`, tagIds: [tag.id] }, admin.token),
        ]);
        for (const answer of answers.slice(1).filter((a) => a.status === 422))
          expect(answer.body.code).toBe('TAG_OF_OTHER_ORG');
        statuses.push(...answers.map((answer) => answer.status));
        expect(await t.sql('select 1 from project_tags where tag_id = ?', [tag.id])).toHaveLength(0);
      }
      expect(statuses.filter((status) => ![201, 204, 422].includes(status))).toEqual([]);
    });

    it('an unused tag goes without confirmation', async () => {
      const tag = (await createTag('Idle')).body;
      expect((await t.delete(`/organizations/${org.id}/tags/${tag.id}`, admin.token)).status).toBe(204);
    });
  });

  describe('tagging projects', () => {
    it('a member collaborating on a project tags it and untags it', async () => {
      const tag = (await createTag('Member Tag')).body;
      const p = await project(org.id, admin);
      await addCollaborator(t, p, member.id, 'annotator');
      const added = await t.post(`/projects/${p}/tags`, { tagId: tag.id }, member.token);
      expect(added.status).toBe(201);
      expect(added.body).toEqual({ id: tag.id, name: 'Member Tag' });
      expect((await t.post(`/projects/${p}/tags`, { tagId: tag.id }, member.token)).status).toBe(201);
      expect(await t.sql('select 1 from project_tags where project_id = ?', [p])).toHaveLength(1);
      expect((await t.delete(`/projects/${p}/tags/${tag.id}`, member.token)).status).toBe(204);
      expect((await t.delete(`/projects/${p}/tags/${tag.id}`, member.token)).status).toBe(404);
    });

    it('an organization admin with no role on the project may tag it', async () => {
      const tag = (await createTag('Admin Reach')).body;
      const p = await project(org.id, member);
      expect((await t.post(`/projects/${p}/tags`, { tagId: tag.id }, admin.token)).status).toBe(201);
    });

    it('a tag of another organization is refused with TAG_OF_OTHER_ORG', async () => {
      const other = await createOrganization(t);
      const foreign = (await createTag('Elsewhere', other.admin.token, other.id)).body;
      const p = await project(org.id, admin);
      const response = await t.post(`/projects/${p}/tags`, { tagId: foreign.id }, admin.token);
      expect(response.status).toBe(422);
      expect(response.body.code).toBe('TAG_OF_OTHER_ORG');
    });

    it('workforce and external collaborators cannot tag (403); a member with no role does not see the project (404)', async () => {
      const tag = (await createTag('Guarded')).body;
      const workforceOrg = await createOrganization(t, { isWorkforce: true });
      const workforce = await createMember(t, org.id, 'workforce');
      await addMembership(t, workforceOrg.id, workforce, 'member').catch(() => undefined);
      const external = await createMember(t, org.id, 'external');
      const p = await project(org.id, admin);
      for (const user of [workforce, external]) {
        await addCollaborator(t, p, user.id, 'annotator');
        expect((await t.post(`/projects/${p}/tags`, { tagId: tag.id }, user.token)).status).toBe(403);
      }
      const outsider = await createMember(t, org.id, 'member');
      expect((await t.post(`/projects/${p}/tags`, { tagId: tag.id }, outsider.token)).status).toBe(404);
      expect((await t.post(`/projects/${p}/tags`, { tagId: tag.id })).status).toBe(401);
    });

    it('a platform admin may tag any project of an organization', async () => {
      const operator = await createPlatformAdmin(t);
      const tag = (await createTag('Operator Tag')).body;
      const p = await project(org.id, admin);
      expect((await t.post(`/projects/${p}/tags`, { tagId: tag.id }, operator.token)).status).toBe(201);
    });

    it('a project of no organization takes no tags', async () => {
      const tag = (await createTag('Orphan')).body;
      const p = await project(null, admin);
      expect((await t.post(`/projects/${p}/tags`, { tagId: tag.id }, admin.token)).status).toBe(403);
    });
  });

  describe('who manages tags', () => {
    it('members list tags but may not create, rename or remove them (403); outsiders get 404', async () => {
      const tag = (await createTag('Admin Only')).body;
      expect((await t.get(`/organizations/${org.id}/tags`, member.token)).status).toBe(200);
      expect((await createTag('By Member', member.token)).status).toBe(403);
      expect(
        (await t.patch(`/organizations/${org.id}/tags/${tag.id}`, { name: 'X' }, member.token)).status,
      ).toBe(403);
      expect((await t.delete(`/organizations/${org.id}/tags/${tag.id}`, member.token)).status).toBe(403);
      const outsider = await createOrganization(t);
      expect((await t.get(`/organizations/${org.id}/tags`, outsider.admin.token)).status).toBe(404);
      const external = await createMember(t, org.id, 'external');
      expect((await t.get(`/organizations/${org.id}/tags`, external.token)).status).toBe(403);
    });
  });
});
