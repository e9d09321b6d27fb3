import {
  createMember,
  createOrganization,
  membersUrl,
  TestOrganization,
} from '../factories/organizations.factory';
import { createUser } from '../factories/users.factory';
import { TestApp } from '../support/test-app';

describe('Organization members: listing', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  let org: TestOrganization;
  beforeAll(async () => {
    org = await createOrganization(t);
    for (const type of ['member', 'workforce', 'external', 'member', 'member'] as const)
      await createMember(t, org.id, type);
  });

  it('lists users in the order they joined, with their type and status', async () => {
    const response = await t.get(membersUrl(org), org.admin.token);
    expect(response.status).toBe(200);
    expect(response.body.items).toHaveLength(6);
    expect(response.body.items[0]).toEqual({
      userId: org.admin.id,
      email: org.admin.email,
      name: org.admin.name,
      type: 'admin',
      status: 'active',
      isServiceAccount: false,
      joinedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      expiresAt: null,
    });
    expect(response.body.nextCursor).toBeNull();
  });

  it('filters by a comma-separated list of types', async () => {
    const response = await t.get(`${membersUrl(org)}?type=admin,workforce`, org.admin.token);
    expect(response.status).toBe(200);
    expect(response.body.items.map((m: any) => m.type).sort()).toEqual(['admin', 'workforce']);
  });

  it('refuses an unknown type with a validation error', async () => {
    const response = await t.get(`${membersUrl(org)}?type=admin,owner`, org.admin.token);
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
  });

  it('pages with a keyset cursor: every user once, none skipped, even when joined in the same millisecond', async () => {
    // Same transaction, same now(): identical join times, so only the user id breaks the tie.
    const crowded = await createOrganization(t);
    const users = await Promise.all(Array.from({ length: 7 }, () => createUser(t)));
    await t.sql(
      `insert into memberships (id, organization_id, user_id, type, created_at)
       select gen_random_uuid(), ?, u, 'member', now() from unnest(array[?]::uuid[]) as u`,
      [crowded.id, users.map((u) => u.id)],
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: any = await t.get(
        `${membersUrl(crowded)}?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        crowded.admin.token,
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((m: any) => m.userId));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual([crowded.admin.id, ...users.map((u) => u.id)].sort());
  });

  it('answers 400 to a forged cursor, never 500', async () => {
    const forged = Buffer.from(JSON.stringify(['yesterday', 'not-a-uuid'])).toString('base64url');
    const response = await t.get(`${membersUrl(org)}?cursor=${forged}`, org.admin.token);
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
  });

  it('refuses a limit outside 1..200', async () => {
    expect((await t.get(`${membersUrl(org)}?limit=0`, org.admin.token)).status).toBe(400);
    expect((await t.get(`${membersUrl(org)}?limit=201`, org.admin.token)).status).toBe(400);
  });
});
