import { createMember, createOrganization, TestOrganization } from '../factories/organizations.factory';
import { createPlatformAdmin, uniqueEmail } from '../factories/users.factory';
import { TestApp } from '../support/test-app';

describe('Audit log', () => {
  let t: TestApp;
  let org: TestOrganization;
  beforeAll(async () => {
    t = await TestApp.start();
    org = await createOrganization(t);
  });
  afterAll(() => t.close());

  const auditUrl = (query = '') => `/organizations/${org.id}/audit-events${query}`;

  it('admins read who did what, newest first, with before and after', async () => {
    const added = await t.post(
      `/organizations/${org.id}/members`,
      { email: uniqueEmail(), type: 'member' },
      org.admin.token,
    );
    await t.patch(
      `/organizations/${org.id}/members/${added.body.userId}`,
      { type: 'admin' },
      org.admin.token,
    );
    const response = await t.get(auditUrl('?limit=2'), org.admin.token);
    expect(response.status).toBe(200);
    expect(response.body.items).toEqual([
      {
        id: expect.any(String),
        action: 'membership.promoted',
        actorId: org.admin.id,
        actorKind: 'user',
        targetType: 'user',
        targetId: added.body.userId,
        data: { before: { type: 'member' }, after: { type: 'admin' } },
        createdAt: expect.stringMatching(/Z$/),
      },
      expect.objectContaining({ action: 'membership.added', targetId: added.body.userId }),
    ]);
  });

  it('pages newest first through every event once, also when events share a timestamp', async () => {
    const paged = await createOrganization(t);
    // One statement, one now(): nine events with the same time, ordered by id only.
    await t.sql(
      `insert into audit_events (id, organization_id, actor_id, action, target_type, created_at, data)
       select gen_random_uuid(), ?, ?, 'test.tick', 'test', now(), jsonb_build_object('n', g) from generate_series(1, 9) g`,
      [paged.id, paged.admin.id],
    );
    const all = await t.sql<{ id: string }>(
      `select id from audit_events where organization_id = ? order by created_at desc, id desc`,
      [paged.id],
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await t.get(
        `/organizations/${paged.id}/audit-events?limit=4${cursor ? `&cursor=${cursor}` : ''}`,
        paged.admin.token,
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((e: any) => e.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((row) => row.id));
  });

  it('filters by action and by actor', async () => {
    const operator = await createPlatformAdmin(t);
    const byOperator = await t.post(`/organizations/${org.id}/groups`, { name: 'Audited' }, operator.token);
    expect(byOperator.status).toBe(201);
    const byAction = await t.get(auditUrl('?action=group.created'), org.admin.token);
    expect(byAction.body.items.map((e: any) => e.targetId)).toEqual([byOperator.body.id]);
    const byActor = await t.get(auditUrl(`?actorId=${operator.id}`), org.admin.token);
    expect(byActor.body.items.map((e: any) => e.action)).toEqual(['group.created']);
  });

  it('filters by a time range: since inclusive, until exclusive, with the actor filter', async () => {
    const timed = await createOrganization(t);
    await t.sql(
      `insert into audit_events (id, organization_id, actor_id, action, target_type, created_at, data)
       select gen_random_uuid(), ?, ?, 'test.timed', 'test', timestamptz '2026-01-01T00:00:00Z' + g * interval '1 day', jsonb_build_object('day', g)
         from generate_series(0, 4) g`,
      [timed.id, timed.admin.id],
    );
    const url = `/organizations/${timed.id}/audit-events?action=test.timed&actorId=${timed.admin.id}`;
    const range = await t.get(
      `${url}&since=2026-01-02T00:00:00Z&until=2026-01-04T00:00:00%2B00:00`,
      timed.admin.token,
    );
    expect(range.status).toBe(200);
    expect(range.body.items.map((e: any) => e.data.day)).toEqual([2, 1]);
    const zoneless = await t.get(`${url}&since=2026-01-02T00:00:00`, timed.admin.token);
    expect(zoneless.status).toBe(400);
    expect((await t.get(`${url}&until=2026-02-30T00:00:00Z`, timed.admin.token)).status).toBe(400);
  });

  it("shows only this organization's events", async () => {
    const other = await createOrganization(t);
    await t.post(`/organizations/${other.id}/groups`, { name: 'Elsewhere' }, other.admin.token);
    const response = await t.get(auditUrl('?action=group.created&limit=200'), org.admin.token);
    expect(response.body.items.map((e: any) => e.data.after.name)).not.toContain('Elsewhere');
  });

  it('members may not read it', async () => {
    const member = await createMember(t, org.id, 'member');
    const response = await t.get(auditUrl(), member.token);
    expect(response.status).toBe(403);
  });

  it('refuses a forged cursor and a non-uuid actor with 400', async () => {
    const forged = Buffer.from(JSON.stringify(["2020-01-01'; drop table users; --", 'x'])).toString(
      'base64url',
    );
    expect((await t.get(auditUrl(`?cursor=${forged}`), org.admin.token)).status).toBe(400);
    expect((await t.get(auditUrl('?actorId=bob'), org.admin.token)).status).toBe(400);
  });
});
