import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig } from '../../src/config/app-config';
import { sql } from '../../src/database/sql';
import { createMember, createOrganization, TestOrganization } from '../factories/organizations.factory';
import { addCollaborator, createResource, roleOf } from '../factories/resources.factory';
import { createPlatformAdmin, createUser, TestUser, uniqueName } from '../factories/users.factory';
import { TestApp } from '../support/test-app';

const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

/** A labelling schema of at least `bytes` bytes as JSON: many small classes, as real ontologies have. */
const structureOf = (bytes: number, label = 'class') => {
  const item = (i: number) => ({
    id: String(i).padStart(8, '0'),
    name: `${label}-${String(i).padStart(8, '0')}`,
  });
  const itemBytes = jsonBytes(item(0)) + 1;
  return { classes: Array.from({ length: Math.ceil(bytes / itemBytes) }, (_, i) => item(i)) };
};

/** An ontology body whose structure is `{ "a": { "a": ... { "a": 1 } } }`, `depth` objects deep, as JSON text. */
const deepOntologyBody = (depth: number) =>
  `{"title":"Deep","structure":${'{"a":'.repeat(depth - 1)}{"a":1}${'}'.repeat(depth - 1)}}`;

describe('Resource use limits', () => {
  let t: TestApp;
  let org: TestOrganization;
  let member: TestUser;

  beforeAll(async () => {
    t = await TestApp.start();
    org = await createOrganization(t);
    member = await createMember(t, org.id, 'member');
  });
  afterAll(() => t.close());

  describe('size caps', () => {
    it('an ontology structure over 512 KiB is refused with VALIDATION_FAILED on structure and nothing is written; one under it is kept whole', async () => {
      const structure = structureOf(600 * 1024);
      expect(jsonBytes(structure)).toBeLessThan(1024 * 1024);
      const created = await t.post('/ontologies', { title: 'Too big', structure }, member.token);
      expect(created.status).toBe(400);
      expect(created.body.code).toBe('VALIDATION_FAILED');
      expect(created.body.errors).toEqual([
        { path: 'structure', message: expect.stringContaining('524288') },
      ]);
      expect(await t.sql(`select id from resources where title = 'Too big'`)).toEqual([]);

      const ontology = await createResource(t, member, 'ontology', { structure: { v: 1 } });
      const updated = await t.patch(`/ontologies/${ontology.id}`, { structure }, member.token);
      expect(updated.status).toBe(400);
      expect(updated.body.errors[0].path).toBe('structure');
      expect((await t.get(`/ontologies/${ontology.id}`, member.token)).body.structure).toEqual({ v: 1 });

      const justUnder = structureOf(500 * 1024);
      expect(jsonBytes(justUnder)).toBeLessThanOrEqual(512 * 1024);
      const kept = await t.post('/ontologies', { title: 'Large', structure: justUnder }, member.token);
      expect(kept.status).toBe(201);
      expect(kept.body.structure).toEqual(justUnder);
    });

    it('a structure nested deeper than 32 levels is a 400, and any body however deep is a 400, never a 500', async () => {
      for (const depth of [33, 100_000]) {
        const body = deepOntologyBody(depth);
        const created = await t.request('POST', '/ontologies', { token: member.token, body });
        expect({
          depth,
          status: created.status,
          code: created.body.code,
          path: created.body.errors?.[0]?.path,
        }).toEqual({
          depth,
          status: 400,
          code: 'VALIDATION_FAILED',
          path: expect.stringMatching(/^structure/),
        });
      }
      const flatEnough = await t.request('POST', '/ontologies', {
        token: member.token,
        body: deepOntologyBody(32),
      });
      expect(flatEnough.status).toBe(201);
      // Any body: the depth is checked before validation walks it.
      const junk = `{"name":"Deep","junk":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
      const tag = await t.request('POST', `/organizations/${org.id}/tags`, {
        token: org.admin.token,
        body: junk,
      });
      expect(tag.status).toBe(400);
      expect(tag.body.errors).toEqual([
        { path: expect.stringMatching(/^junk/), message: expect.stringContaining('64 levels') },
      ]);
    });

    it('a domain longer than 253 characters is refused with VALIDATION_FAILED', async () => {
      const operator = await createPlatformAdmin(t);
      const domain = `${`${'a'.repeat(60)}.`.repeat(5)}com`;
      const added = await t.post(`/platform/organizations/${org.id}/domains`, { domain }, operator.token);
      expect(added.status).toBe(400);
      expect(added.body.errors[0].path).toBe('domain');
      const created = await t.post(
        '/platform/organizations',
        { name: uniqueName('Org'), domains: [domain], adminEmails: [(await createUser(t)).email] },
        operator.token,
      );
      expect(created.status).toBe(400);
      expect(created.body.errors[0].path).toBe('domains');
      expect(await t.sql('select domain from organization_domains where length(domain) > 253')).toEqual([]);
    });

    it('the committed OpenAPI document states the caps', () => {
      const document = JSON.parse(readFileSync(join(__dirname, '../../openapi/openapi.json'), 'utf8'));
      const { schemas } = document.components;
      expect(schemas.CreateOntology.properties.structure.description).toContain('512 KiB');
      expect(schemas.InviteProjectCollaborators.properties.emails).toMatchObject({
        maxItems: 100,
        items: { maxLength: 254 },
      });
      expect(schemas.AddDomain.properties.domain).toMatchObject({ maxLength: 253 });
    });
  });

  describe('the audit log stores bounded data', () => {
    it('replacing a 400 KiB structure writes an audit row of a few KiB: what changed, large values as size and hash', async () => {
      const first = structureOf(400 * 1024, 'first');
      const second = structureOf(400 * 1024, 'second');
      const ontology = await createResource(t, member, 'ontology', { structure: first });
      const updated = await t.patch(`/ontologies/${ontology.id}`, { structure: second }, member.token);
      expect(updated.status).toBe(200);
      const events = await t.sql<{ action: string; size: number; data: any }>(
        `select action, pg_column_size(data) as size, data from audit_events where target_id = ? order by created_at`,
        [ontology.id],
      );
      expect(events.map((e) => e.action)).toEqual(['ontology.created', 'ontology.updated']);
      for (const event of events) expect(event.size).toBeLessThan(2048);
      const [, update] = events;
      expect(update.data).toEqual({
        before: { structure: { $omitted: { bytes: expect.any(Number), sha256: expect.any(String) } } },
        after: { structure: { $omitted: { bytes: expect.any(Number), sha256: expect.any(String) } } },
      });
      expect(update.data.before.structure.$omitted.bytes).toBeGreaterThan(400 * 1024);
      expect(update.data.before.structure.$omitted.sha256).not.toBe(
        update.data.after.structure.$omitted.sha256,
      );
    });

    it('a long description is recorded as its size and hash; a short one as it is', async () => {
      const dataset = await createResource(t, member, 'dataset', { description: 'short' });
      const long = 'x'.repeat(10_000);
      expect((await t.patch(`/datasets/${dataset.id}`, { description: long }, member.token)).status).toBe(
        200,
      );
      const [event] = await t.sql<{ data: any }>(
        `select data from audit_events where target_id = ? and action = 'dataset.updated'`,
        [dataset.id],
      );
      expect(event.data).toEqual({
        before: { description: 'short' },
        after: {
          description: { $omitted: { bytes: 10_000, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } },
        },
      });
    });

    it('a PATCH that changes nothing writes no audit event', async () => {
      const ontology = await createResource(t, member, 'ontology', { structure: { b: 1, a: [1, 2] } });
      const same = await t.patch(
        `/ontologies/${ontology.id}`,
        { title: ontology.title, structure: { a: [1, 2], b: 1 } },
        member.token,
      );
      expect(same.status).toBe(200);
      expect(
        await t.sql(`select action from audit_events where target_id = ? and action = 'ontology.updated'`, [
          ontology.id,
        ]),
      ).toEqual([]);
    });
  });

  describe('leaving a resource', () => {
    it('a collaborator leaves a project (204) and no longer sees it; removing anyone else stays 403', async () => {
      const admin = await createMember(t, org.id, 'member');
      const project = await createResource(t, admin, 'project');
      const annotator = await createMember(t, org.id, 'member');
      const reviewer = await createMember(t, org.id, 'member');
      await addCollaborator(t, project.id, annotator.id, 'annotator');
      await addCollaborator(t, project.id, reviewer.id, 'reviewer');
      const stranger = await createUser(t);

      const removeOther = await t.delete(
        `/projects/${project.id}/collaborators/${reviewer.id}`,
        annotator.token,
      );
      expect(removeOther.status).toBe(403);
      // A non-collaborator's id answers the same: no probing who collaborates.
      const removeStranger = await t.delete(
        `/projects/${project.id}/collaborators/${stranger.id}`,
        annotator.token,
      );
      expect(removeStranger.status).toBe(403);

      const left = await t.delete(`/projects/${project.id}/collaborators/${annotator.id}`, annotator.token);
      expect(left.status).toBe(204);
      expect(await roleOf(t, project.id, annotator.id)).toBeNull();
      expect(await roleOf(t, project.id, reviewer.id)).toBe('reviewer');
      expect((await t.get(`/projects/${project.id}`, annotator.token)).status).toBe(404);
      const [event] = await t.sql<{ actor_id: string; data: any }>(
        `select actor_id, data from audit_events where target_id = ? and action = 'collaborator.removed'`,
        [project.id],
      );
      expect(event).toEqual({
        actor_id: annotator.id,
        data: { userId: annotator.id, before: { role: 'annotator' } },
      });
    });

    it('the last admin cannot leave (409 LAST_ADMIN); once another admin exists, they can', async () => {
      const admin = await createMember(t, org.id, 'member');
      const dataset = await createResource(t, admin, 'dataset');
      const user = await createMember(t, org.id, 'member');
      await addCollaborator(t, dataset.id, user.id, 'user');
      expect((await t.delete(`/datasets/${dataset.id}/collaborators/${user.id}`, user.token)).status).toBe(
        204,
      );

      const refused = await t.delete(`/datasets/${dataset.id}/collaborators/${admin.id}`, admin.token);
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('LAST_ADMIN');
      expect(await roleOf(t, dataset.id, admin.id)).toBe('admin');

      const other = await createMember(t, org.id, 'member');
      await addCollaborator(t, dataset.id, other.id, 'admin');
      expect((await t.delete(`/datasets/${dataset.id}/collaborators/${admin.id}`, admin.token)).status).toBe(
        204,
      );
    });
  });
});

describe('Per-organization quotas', () => {
  const LIMITS = { resources: 4, tags: 5, groups: 3 };
  let t: TestApp;
  let org: TestOrganization;

  beforeAll(async () => {
    t = await TestApp.start({
      QUOTA_RESOURCES_PER_ORGANIZATION: String(LIMITS.resources),
      QUOTA_TAGS_PER_ORGANIZATION: String(LIMITS.tags),
      QUOTA_GROUPS_PER_ORGANIZATION: String(LIMITS.groups),
    });
    org = await createOrganization(t);
  });
  afterAll(() => t.close());

  /** The answers to `count` requests sent at once. */
  const race = (count: number, send: (i: number) => Promise<{ status: number; body: any }>) =>
    Promise.all(Array.from({ length: count }, (_, i) => send(i)));

  const quotaRefusal = (quota: string, limit: number) => ({
    status: 409,
    body: expect.objectContaining({ code: 'QUOTA_EXCEEDED', quota, limit }),
  });

  it('tags created at once past the quota: exactly the quota is created, the rest is 409 QUOTA_EXCEEDED', async () => {
    const answers = await race(12, (i) =>
      t.post(`/organizations/${org.id}/tags`, { name: `Tag ${i}` }, org.admin.token),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(LIMITS.tags);
    for (const refused of answers.filter((a) => a.status !== 201))
      expect(refused).toMatchObject(quotaRefusal('tags', LIMITS.tags));
    expect(await t.sql('select id from tags where organization_id = ?', [org.id])).toHaveLength(LIMITS.tags);
  });

  it('deleting a tag makes room for one more', async () => {
    const organization = await createOrganization(t);
    const ids: string[] = [];
    for (let i = 0; i < LIMITS.tags; i++)
      ids.push(
        (await t.post(`/organizations/${organization.id}/tags`, { name: `T${i}` }, organization.admin.token))
          .body.id,
      );
    const full = await t.post(
      `/organizations/${organization.id}/tags`,
      { name: 'One more' },
      organization.admin.token,
    );
    expect(full).toMatchObject(quotaRefusal('tags', LIMITS.tags));
    await t.delete(`/organizations/${organization.id}/tags/${ids[0]}`, organization.admin.token);
    const roomAgain = await t.post(
      `/organizations/${organization.id}/tags`,
      { name: 'One more' },
      organization.admin.token,
    );
    expect(roomAgain.status).toBe(201);
  });

  it('groups created at once past the quota: exactly the quota is created', async () => {
    const answers = await race(8, (i) =>
      t.post(`/organizations/${org.id}/groups`, { name: `Group ${i}` }, org.admin.token),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(LIMITS.groups);
    for (const refused of answers.filter((a) => a.status !== 201))
      expect(refused).toMatchObject(quotaRefusal('groups', LIMITS.groups));
    expect(await t.sql('select id from groups where organization_id = ?', [org.id])).toHaveLength(
      LIMITS.groups,
    );
  });

  it('projects created at once past the quota: exactly the quota; datasets and projects of no organization count apart; nothing half-written', async () => {
    const members = await Promise.all(Array.from({ length: 10 }, () => createMember(t, org.id, 'member')));
    const answers = await race(10, (i) => t.post('/projects', { title: `Project ${i}` }, members[i].token));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(LIMITS.resources);
    for (const refused of answers.filter((a) => a.status !== 201))
      expect(refused).toMatchObject(quotaRefusal('projects', LIMITS.resources));
    expect(
      await t.sql(`select id from resources where organization_id = ? and kind = 'project'`, [org.id]),
    ).toHaveLength(LIMITS.resources);
    // A refused creation leaves no collaborator row and no audit event behind.
    expect(
      await t.sql(
        `select c.id from collaborators c left join resources r on r.id = c.resource_id where r.id is null`,
      ),
    ).toEqual([]);
    expect(
      await t.sql(`select id from audit_events where organization_id = ? and action = 'project.created'`, [
        org.id,
      ]),
    ).toHaveLength(LIMITS.resources);

    expect((await t.post('/datasets', { title: 'Data' }, members[0].token)).status).toBe(201);
    // Resources of no organization count against no quota.
    const loner = await createUser(t);
    for (let i = 0; i <= LIMITS.resources; i++)
      expect((await t.post('/projects', { title: `Mine ${i}` }, loner.token)).status).toBe(201);
  });

  it('projects created at once when one short of the quota: exactly one is created', async () => {
    const organization = await createOrganization(t);
    const members = await Promise.all(
      Array.from({ length: 12 }, () => createMember(t, organization.id, 'member')),
    );
    for (let i = 0; i < LIMITS.resources - 1; i++)
      expect((await t.post('/projects', { title: `Before ${i}` }, members[0].token)).status).toBe(201);
    const answers = await race(12, (i) => t.post('/projects', { title: `Last ${i}` }, members[i].token));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    for (const refused of answers.filter((a) => a.status !== 201))
      expect(refused).toMatchObject(quotaRefusal('projects', LIMITS.resources));
    expect(
      await t.sql(`select id from resources where organization_id = ? and kind = 'project'`, [
        organization.id,
      ]),
    ).toHaveLength(LIMITS.resources);
  });

  it('the database holds the quota past the service: a commit over the limit fails whole', async () => {
    const organization = await createOrganization(t);
    for (let i = 0; i < LIMITS.tags; i++)
      await t.post(`/organizations/${organization.id}/tags`, { name: `Full ${i}` }, organization.admin.token);
    // What a creation that saw room (a stale read) would commit: the limit named, one more row.
    const overTheLimit = t.em().transactional(async (em) => {
      await sql(em, `select set_config('orgs.quota_limit.tags', ?, true)`, [String(LIMITS.tags)]);
      await sql(em, `insert into tags (organization_id, name) values (?, 'One too many')`, [organization.id]);
    });
    await expect(overTheLimit).rejects.toThrow(/QUOTA_EXCEEDED: tags 5/);
    expect(await t.sql('select id from tags where organization_id = ?', [organization.id])).toHaveLength(
      LIMITS.tags,
    );
  });

  it('the usage counter follows rows written in bulk, and a rolled-back savepoint takes its rows back', async () => {
    const organization = await createOrganization(t);
    await t.em().transactional(async (em) => {
      await sql(
        em,
        `insert into tags (organization_id, name) select ?, 'Bulk ' || g from generate_series(1, 3) g`,
        [organization.id],
      );
      await em
        .transactional(async (inner) => {
          await sql(inner, `insert into tags (organization_id, name) values (?, 'Rolled back')`, [
            organization.id,
          ]);
          throw new Error('roll the savepoint back');
        })
        .catch(() => undefined);
    });
    expect(
      await t.sql(
        `select used, (select count(*)::int from tags where organization_id = ?) as rows
           from quota_usage where organization_id = ? and quota = 'tags'`,
        [organization.id, organization.id],
      ),
    ).toEqual([{ used: 3, rows: 3 }]);
  });

  it('a quota that is not a positive whole number stops the start, naming the variable', () => {
    expect(() => AppConfig.load({ QUOTA_TAGS_PER_ORGANIZATION: '0' })).toThrow(/QUOTA_TAGS_PER_ORGANIZATION/);
    expect(() => AppConfig.load({ QUOTA_GROUPS_PER_ORGANIZATION: 'many' })).toThrow(
      /QUOTA_GROUPS_PER_ORGANIZATION/,
    );
    expect(() => AppConfig.load({ QUOTA_RESOURCES_PER_ORGANIZATION: '2.5' })).toThrow(
      /QUOTA_RESOURCES_PER_ORGANIZATION/,
    );
    expect(AppConfig.load({})).toMatchObject({
      QUOTA_RESOURCES_PER_ORGANIZATION: 10000,
      QUOTA_TAGS_PER_ORGANIZATION: 1000,
      QUOTA_GROUPS_PER_ORGANIZATION: 1000,
    });
  });
});
