import { RESOURCE_KINDS } from '../../src/policy/vocabulary';
import { addMembership, createMember, createOrganization } from '../factories/organizations.factory';
import {
  addCollaborator,
  createResource,
  createTag,
  insertResource,
  segmentOf,
} from '../factories/resources.factory';
import { createUser } from '../factories/users.factory';
import { auditActions, auditEvents } from '../support/audit-log';
import { TestApp } from '../support/test-app';

describe('Resources: creating, reading, updating, deleting', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  describe('creating', () => {
    it.each(RESOURCE_KINDS)(
      'a %s created by an internal user belongs to their organization, with them as admin and owner',
      async (kind) => {
        const org = await createOrganization(t);
        const member = await createMember(t, org.id, 'member');
        const created = await t.post(
          `/${segmentOf(kind)}`,
          { title: '  Cats  ', description: 'd' },
          member.token,
        );
        expect(created.status).toBe(201);
        expect(created.body).toMatchObject({
          title: 'Cats',
          description: 'd',
          organizationId: org.id,
          ownerId: member.id,
          myRole: 'admin',
        });
        const collaborators = await t.get(
          `/${segmentOf(kind)}/${created.body.id}/collaborators`,
          member.token,
        );
        expect(collaborators.body).toEqual({
          users: [
            { userId: member.id, email: member.email, name: member.name, role: 'admin', expiresAt: null },
          ],
          groups: [],
        });
        expect(await auditActions(t, { targetId: created.body.id })).toEqual([`${kind}.created`]);
      },
    );

    it('a dataset created by someone internal nowhere belongs to no organization', async () => {
      const loner = await createUser(t);
      const dataset = await createResource(t, loner, 'dataset');
      expect(dataset.organizationId).toBeNull();
    });

    it("a workforce contractor's project belongs to their own (workforce) organization, not to the client's", async () => {
      const workforceOrg = await createOrganization(t, { isWorkforce: true });
      const client = await createOrganization(t);
      const contractor = await createMember(t, workforceOrg.id, 'member');
      await addMembership(t, client.id, contractor, 'workforce');
      const project = await createResource(t, contractor, 'project');
      expect(project.organizationId).toBe(workforceOrg.id);
    });

    it("an ontology's structure is a JSON object, an empty one when left out", async () => {
      const user = await createUser(t);
      expect((await createResource(t, user, 'ontology')).structure).toEqual({});
      const tree = { classes: [{ name: 'cat', attributes: [{ name: 'colour', values: ['black'] }] }] };
      expect((await createResource(t, user, 'ontology', { structure: tree })).structure).toEqual(tree);
      for (const structure of [[1, 2], 'text', 3, null]) {
        const refused = await t.post('/ontologies', { title: 'Bad', structure }, user.token);
        expect(refused.status).toBe(400);
        expect(refused.body.errors).toEqual([expect.objectContaining({ path: 'structure' })]);
      }
    });

    it('an ontology structure larger than the 1 MB body limit is refused with 413', async () => {
      const user = await createUser(t);
      const big = { blob: 'x'.repeat(1024 * 1024) };
      const refused = await t.post('/ontologies', { title: 'Huge', structure: big }, user.token);
      expect(refused.status).toBe(413);
      expect(refused.body.code).toBe('PAYLOAD_TOO_LARGE');
    });

    it('unknown fields, a missing title and kind-specific fields of another kind are refused', async () => {
      const user = await createUser(t);
      for (const [segment, body] of [
        ['projects', { title: 'P', ownerId: user.id }],
        ['projects', { description: 'no title' }],
        ['projects', { title: '   ' }],
        ['datasets', { title: 'D', structure: {} }],
        ['datasets', { title: 'D', datasetIds: [] }],
      ] as const) {
        const refused = await t.post(`/${segment}`, body, user.token);
        expect(refused.status).toBe(400);
        expect(refused.body.code).toBe('VALIDATION_FAILED');
      }
      expect(await t.sql('select 1 from resources where owner_id = ?', [user.id])).toHaveLength(0);
    });

    it('a project is created with an ontology, datasets and tags the creator may use', async () => {
      const org = await createOrganization(t);
      const member = await createMember(t, org.id, 'member');
      const dataset = await createResource(t, member, 'dataset');
      const ontology = await createResource(t, member, 'ontology');
      const tag = await createTag(t, org.id, 'Urgent');
      const project = await createResource(t, member, 'project', {
        ontologyId: ontology.id,
        datasetIds: [dataset.id, dataset.id],
        tagIds: [tag],
      });
      expect(project).toMatchObject({
        ontologyId: ontology.id,
        datasetIds: [dataset.id],
        tags: [{ id: tag, name: 'Urgent' }],
      });
    });

    it('a project cannot be created with a dataset the creator cannot see, nor an ontology they may not read', async () => {
      const org = await createOrganization(t);
      const stranger = await createUser(t);
      const { id: hidden } = await insertResource(t, {
        kind: 'dataset',
        ownerId: stranger.id,
        organizationId: null,
      });
      const member = await createMember(t, org.id, 'member');
      const notFound = await t.post('/projects', { title: 'P', datasetIds: [hidden] }, member.token);
      expect(notFound.status).toBe(404);
      // The organization's admin may know the ontology exists (they could join it) but may not read it yet.
      const { id: ontology } = await insertResource(t, {
        kind: 'ontology',
        ownerId: member.id,
        organizationId: org.id,
      });
      const forbidden = await t.post('/projects', { title: 'P', ontologyId: ontology }, org.admin.token);
      expect(forbidden.status).toBe(403);
      expect(
        await t.sql('select 1 from resources where owner_id = ? and kind = ?', [org.admin.id, 'project']),
      ).toHaveLength(0);
    });

    it('tags of another organization, or on a project of no organization, are refused with TAG_OF_OTHER_ORG', async () => {
      const org = await createOrganization(t);
      const other = await createOrganization(t);
      const member = await createMember(t, org.id, 'member');
      const foreignTag = await createTag(t, other.id);
      const refused = await t.post('/projects', { title: 'P', tagIds: [foreignTag] }, member.token);
      expect(refused.status).toBe(422);
      expect(refused.body.code).toBe('TAG_OF_OTHER_ORG');
      const loner = await createUser(t);
      const alsoRefused = await t.post('/projects', { title: 'P', tagIds: [foreignTag] }, loner.token);
      expect(alsoRefused.body.code).toBe('TAG_OF_OTHER_ORG');
      expect(
        await t.sql('select 1 from resources where owner_id in (?, ?)', [member.id, loner.id]),
      ).toHaveLength(0);
    });
  });

  describe('reading, updating, deleting', () => {
    it("a project shows its ontology, datasets, tags, organization and the caller's role", async () => {
      const org = await createOrganization(t);
      const member = await createMember(t, org.id, 'member');
      const project = await createResource(t, member, 'project');
      const reviewer = await createMember(t, org.id, 'member');
      await addCollaborator(t, project.id, reviewer.id, 'reviewer');
      const read = await t.get(`/projects/${project.id}`, reviewer.token);
      expect(read.status).toBe(200);
      expect(read.body).toEqual({
        id: project.id,
        title: project.title,
        description: '',
        organizationId: org.id,
        ownerId: member.id,
        myRole: 'reviewer',
        ontologyId: null,
        datasetIds: [],
        tags: [],
        createdAt: project.createdAt,
        updatedAt: project.updatedAt,
      });
    });

    it('a malformed id is a 404, like an unknown one, and a dataset id under /projects is not a project', async () => {
      const user = await createUser(t);
      const dataset = await createResource(t, user, 'dataset');
      expect((await t.get('/projects/not-a-uuid', user.token)).status).toBe(404);
      expect((await t.get('/projects/00000000-0000-4000-8000-000000000000', user.token)).status).toBe(404);
      expect((await t.get(`/projects/${dataset.id}`, user.token)).status).toBe(404);
    });

    it('an admin renames a project and replaces an ontology structure; the audit log has before and after', async () => {
      const user = await createUser(t);
      const ontology = await createResource(t, user, 'ontology', { structure: { v: 1 } });
      const updated = await t.patch(
        `/ontologies/${ontology.id}`,
        { title: 'Animals', structure: { v: 2 } },
        user.token,
      );
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({ title: 'Animals', structure: { v: 2 }, myRole: 'admin' });
      const [event] = await auditEvents(t, { targetId: ontology.id, action: 'ontology.updated' });
      expect(event.actorId).toBe(user.id);
      expect(event.data).toMatchObject({
        before: { title: ontology.title, structure: { v: 1 } },
        after: { title: 'Animals', structure: { v: 2 } },
      });
      const project = await createResource(t, user, 'project');
      const refused = await t.patch(`/projects/${project.id}`, { structure: {} }, user.token);
      expect(refused.status).toBe(400);
    });

    it('null is no title, description or structure: a PATCH with one is refused and changes nothing', async () => {
      const user = await createUser(t);
      const ontology = await createResource(t, user, 'ontology', { structure: { v: 1 } });
      for (const body of [{ title: null }, { description: null }, { structure: null }]) {
        const refused = await t.patch(`/ontologies/${ontology.id}`, body, user.token);
        expect(refused.status).toBe(400);
        expect(refused.body.code).toBe('VALIDATION_FAILED');
      }
      expect((await t.get(`/ontologies/${ontology.id}`, user.token)).body).toMatchObject({
        title: ontology.title,
        structure: { v: 1 },
      });
    });

    it('deleting a dataset removes it from the projects using it and from every list', async () => {
      const user = await createUser(t);
      const dataset = await createResource(t, user, 'dataset');
      const project = await createResource(t, user, 'project', { datasetIds: [dataset.id] });
      expect((await t.delete(`/datasets/${dataset.id}`, user.token)).status).toBe(204);
      expect((await t.get(`/datasets/${dataset.id}`, user.token)).status).toBe(404);
      expect((await t.get(`/projects/${project.id}`, user.token)).body.datasetIds).toEqual([]);
      expect((await t.get('/datasets', user.token)).body.items).toEqual([]);
      expect(await auditActions(t, { targetId: dataset.id })).toEqual(['dataset.created', 'dataset.deleted']);
    });
  });
});
