import { createGroup } from '../factories/groups.factory';
import { addMembership, createMember, createOrganization } from '../factories/organizations.factory';
import {
  addCollaborator,
  createResource,
  createTag,
  giveGroupRole,
  insertResource,
} from '../factories/resources.factory';
import { createPlatformAdmin, createUser } from '../factories/users.factory';
import { TestApp } from '../support/test-app';

describe('Resources: personal and organization lists', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

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
});
