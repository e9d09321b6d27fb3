import { RESOURCE_KINDS } from '../../src/modules/resources/resource-kind';
import { addGroupMember, createGroup } from '../factories/groups.factory';
import { addMembership, createMember, createOrganization } from '../factories/organizations.factory';
import {
  addCollaborator,
  createResource,
  createTag,
  giveGroupRole,
  insertResource,
  segmentOf,
} from '../factories/resources.factory';
import { createPlatformAdmin, createUser } from '../factories/users.factory';
import { TestApp } from '../support/test-app';

const auditActions = async (t: TestApp, targetId: string): Promise<string[]> =>
  (
    await t.sql<{ action: string }>(
      'select action from audit_events where target_id = ? order by created_at, id',
      [targetId],
    )
  ).map((row) => row.action);

describe('Resources', () => {
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
          users: [{ userId: member.id, email: member.email, name: member.name, role: 'admin' }],
          groups: [],
        });
        expect(await auditActions(t, created.body.id)).toEqual([`${kind}.created`]);
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
      const [event] = await t.sql(
        `select actor_id, data from audit_events where target_id = ? and action = 'ontology.updated'`,
        [ontology.id],
      );
      expect(event.actor_id).toBe(user.id);
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
      expect(await auditActions(t, dataset.id)).toEqual(['dataset.created', 'dataset.deleted']);
    });
  });

  describe('personal lists', () => {
    it('list exactly what the caller has a role on, directly or through a group, in any organization or none', async () => {
      const org = await createOrganization(t);
      const other = await createOrganization(t);
      const caller = await createMember(t, org.id, 'member');
      await addMembership(t, other.id, caller, 'external');
      const mine = await createResource(t, caller, 'project');
      const { id: direct } = await insertResource(t, {
        kind: 'project',
        ownerId: other.admin.id,
        organizationId: other.id,
      });
      await addCollaborator(t, direct, caller.id, 'annotator');
      const { id: viaGroup } = await insertResource(t, {
        kind: 'project',
        ownerId: org.admin.id,
        organizationId: org.id,
      });
      const group = await createGroup(t, org.id, { memberIds: [caller.id] });
      await giveGroupRole(t, viaGroup, group.id, 'reviewer');
      const { id: orphan } = await insertResource(t, {
        kind: 'project',
        ownerId: caller.id,
        organizationId: null,
      });
      await insertResource(t, { kind: 'project', ownerId: org.admin.id, organizationId: org.id });
      await insertResource(t, { kind: 'dataset', ownerId: caller.id, organizationId: org.id });

      const list = await t.get('/projects', caller.token);
      expect(list.status).toBe(200);
      expect(list.body.items.map((p: any) => [p.id, p.myRole])).toEqual([
        [orphan, 'admin'],
        [viaGroup, 'reviewer'],
        [direct, 'annotator'],
        [mine.id, 'admin'],
      ]);
      expect(list.body.nextCursor).toBeNull();
    });

    it('an organization admin and a platform admin see only their own resources there', async () => {
      const org = await createOrganization(t);
      const operator = await createPlatformAdmin(t);
      await insertResource(t, {
        kind: 'dataset',
        ownerId: (await createMember(t, org.id, 'member')).id,
        organizationId: org.id,
      });
      expect((await t.get('/datasets', org.admin.token)).body.items).toEqual([]);
      expect((await t.get('/datasets', operator.token)).body.items).toEqual([]);
    });

    it('pages follow each other without gaps or repeats, newest first, and filter by owner and title', async () => {
      const user = await createUser(t);
      const someone = await createUser(t);
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) {
        ids.push(
          (
            await insertResource(t, {
              kind: 'ontology',
              ownerId: i % 2 ? someone.id : user.id,
              organizationId: null,
              title: `Shapes ${i}`,
            })
          ).id,
        );
        if (i % 2) await addCollaborator(t, ids[i], user.id, 'user');
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: any = await t.get(`/ontologies?limit=3${cursor ? `&cursor=${cursor}` : ''}`, user.token);
        expect(page.status).toBe(200);
        seen.push(...page.body.items.map((o: any) => o.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual([...ids].reverse());

      const owned = await t.get('/ontologies?owner=me', user.token);
      expect(owned.body.items.map((o: any) => o.id)).toEqual([ids[6], ids[4], ids[2], ids[0]]);
      const titled = await t.get('/ontologies?q=PES%203', user.token);
      expect(titled.body.items.map((o: any) => o.id)).toEqual([ids[3]]);
      const literal = await t.get('/ontologies?q=%25', user.token);
      expect(literal.body.items).toEqual([]);
    });

    it('a limit outside 1..200, an unknown owner filter and a forged cursor are refused with 400', async () => {
      const user = await createUser(t);
      const forged = Buffer.from(JSON.stringify(['yesterday', 'x'])).toString('base64url');
      for (const query of [
        'limit=0',
        'limit=201',
        'owner=you',
        `cursor=${forged}`,
        'cursor=%%%',
        'tags=nope',
      ]) {
        const refused = await t.get(`/projects?${query}`, user.token);
        expect(refused.status).toBe(400);
        expect(refused.body.code).toBe('VALIDATION_FAILED');
      }
    });

    it('anonymous callers get 401', async () => {
      expect((await t.get('/projects')).status).toBe(401);
      expect((await t.post('/projects', { title: 'x' })).status).toBe(401);
    });
  });

  describe('organization lists', () => {
    let org: Awaited<ReturnType<typeof createOrganization>>;
    let member: Awaited<ReturnType<typeof createMember>>;
    let ids: Record<string, string>;
    beforeAll(async () => {
      org = await createOrganization(t);
      member = await createMember(t, org.id, 'member');
      const colleague = await createMember(t, org.id, 'member');
      ids = {
        memberOwns: (await createResource(t, member, 'project', { title: 'Zebra crossing' })).id,
        colleagueOwns: (await createResource(t, colleague, 'project', { title: 'Zebra herd' })).id,
        sharedWithMember: (await createResource(t, colleague, 'project', { title: 'Horses' })).id,
        viaGroup: (await createResource(t, colleague, 'project', { title: 'Donkeys' })).id,
      };
      await addCollaborator(t, ids.sharedWithMember, member.id, 'annotator');
      const group = await createGroup(t, org.id, { memberIds: [member.id] });
      await giveGroupRole(t, ids.viaGroup, group.id, 'team_manager');
      // Another organization's project, and a project of no organization, never show up here.
      const other = await createOrganization(t);
      await insertResource(t, { kind: 'project', ownerId: other.admin.id, organizationId: other.id });
      await insertResource(t, { kind: 'project', ownerId: member.id, organizationId: null });
    });

    it("an admin sees all of the organization's projects, with myRole null where they have no role", async () => {
      const list = await t.get(`/organizations/${org.id}/projects`, org.admin.token);
      expect(list.status).toBe(200);
      expect(list.body.items.map((p: any) => [p.id, p.myRole])).toEqual([
        [ids.viaGroup, null],
        [ids.sharedWithMember, null],
        [ids.colleagueOwns, null],
        [ids.memberOwns, null],
      ]);
    });

    it('a member sees only the projects they have a role on, directly or through a group', async () => {
      const list = await t.get(`/organizations/${org.id}/projects`, member.token);
      expect(list.body.items.map((p: any) => [p.id, p.myRole])).toEqual([
        [ids.viaGroup, 'team_manager'],
        [ids.sharedWithMember, 'annotator'],
        [ids.memberOwns, 'admin'],
      ]);
    });

    it('owner=me and q narrow the list', async () => {
      const owned = await t.get(`/organizations/${org.id}/projects?owner=me`, member.token);
      expect(owned.body.items.map((p: any) => p.id)).toEqual([ids.memberOwns]);
      const zebras = await t.get(`/organizations/${org.id}/projects?q=zebra`, org.admin.token);
      expect(zebras.body.items.map((p: any) => p.id)).toEqual([ids.colleagueOwns, ids.memberOwns]);
    });

    it('tags keeps projects having all the given tags, tagsAny those having at least one', async () => {
      const [red, blue] = [await createTag(t, org.id, 'red'), await createTag(t, org.id, 'blue')];
      const tag = (projectId: string, tagId: string) =>
        t.sql(
          `insert into project_tags (id, project_id, tag_id, organization_id, created_at) values (gen_random_uuid(), ?, ?, ?, now())`,
          [projectId, tagId, org.id],
        );
      await tag(ids.memberOwns, red);
      await tag(ids.memberOwns, blue);
      await tag(ids.colleagueOwns, red);
      await tag(ids.viaGroup, blue);
      const all = await t.get(`/organizations/${org.id}/projects?tags=${red},${blue}`, org.admin.token);
      expect(all.body.items.map((p: any) => p.id)).toEqual([ids.memberOwns]);
      expect(all.body.items[0].tags).toEqual([
        { id: blue, name: 'blue' },
        { id: red, name: 'red' },
      ]);
      const any = await t.get(`/organizations/${org.id}/projects?tagsAny=${red},${blue}`, org.admin.token);
      expect(any.body.items.map((p: any) => p.id)).toEqual([ids.viaGroup, ids.colleagueOwns, ids.memberOwns]);
      const mine = await t.get(`/projects?tags=${red}&tagsAny=${blue}`, member.token);
      expect(mine.body.items.map((p: any) => p.id)).toEqual([ids.memberOwns]);
    });

    it('datasets and ontologies have their own lists, without tags', async () => {
      const dataset = await createResource(t, member, 'dataset');
      const list = await t.get(`/organizations/${org.id}/datasets`, org.admin.token);
      expect(list.body.items).toEqual([
        {
          id: dataset.id,
          title: dataset.title,
          description: '',
          organizationId: org.id,
          ownerId: member.id,
          myRole: null,
          createdAt: dataset.createdAt,
        },
      ]);
      expect((await t.get(`/organizations/${org.id}/ontologies`, member.token)).body.items).toEqual([]);
      expect((await t.get(`/organizations/${org.id}/datasets?tags=${dataset.id}`, member.token)).status).toBe(
        400,
      );
    });

    it('workforce and external users get 403, strangers 404, platform admins everything', async () => {
      const workforceOrg = await createOrganization(t, { isWorkforce: true });
      const contractor = await createMember(t, workforceOrg.id, 'member');
      await addMembership(t, org.id, contractor, 'workforce');
      const external = await createMember(t, org.id, 'external');
      const stranger = await createUser(t);
      const operator = await createPlatformAdmin(t);
      expect((await t.get(`/organizations/${org.id}/projects`, contractor.token)).status).toBe(403);
      expect((await t.get(`/organizations/${org.id}/projects`, external.token)).status).toBe(403);
      expect((await t.get(`/organizations/${org.id}/projects`, stranger.token)).status).toBe(404);
      expect((await t.get(`/organizations/${org.id}/projects`)).status).toBe(401);
      const all = await t.get(`/organizations/${org.id}/projects`, operator.token);
      expect(all.body.items).toHaveLength(4);
    });
  });

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
      expect(await auditActions(t, project.id)).toEqual(['project.created', 'collaborator.joined']);
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
      expect(await auditActions(t, operator.id)).toEqual(['membership.added_by_invitation']);
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
      expect(await auditActions(t, project.id)).toEqual([
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
      const [event] = await t.sql(
        `select data from audit_events where target_id = ? and action = 'project.ontology_set' order by created_at limit 1`,
        [project.id],
      );
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
      expect(await auditActions(t, project.id)).toEqual(
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
      expect(await auditActions(t, project.id)).toEqual([
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
      expect(await auditActions(t, dataset.id)).toEqual([
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
