import { createMember, createOrganization } from '../factories/organizations.factory';
import { TestApp } from '../support/test-app';

describe('HTTP conventions: Idempotency-Key on creates', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  const createProject = (token: string, body: unknown, key?: string) =>
    t.request('POST', '/projects', { token, body, headers: key ? { 'idempotency-key': key } : {} });
  const projectsTitled = async (title: string) =>
    (await t.sql<{ n: number }>(`select count(*)::int as n from resources where title = ?`, [title]))[0].n;

  it('two identical POSTs with one key create one project, and the second answer is the first', async () => {
    const org = await createOrganization(t);
    const member = await createMember(t, org.id, 'member');
    const first = await createProject(member.token, { title: 'Once only' }, 'key-once-only');
    const second = await createProject(member.token, { title: 'Once only' }, 'key-once-only');
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers['location']).toBe(first.headers['location']);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(await projectsTitled('Once only')).toBe(1);
  });

  it('the same key with another body is 422 IDEMPOTENCY_KEY_REUSED and creates nothing', async () => {
    const org = await createOrganization(t);
    const member = await createMember(t, org.id, 'member');
    await createProject(member.token, { title: 'Reused A' }, 'key-reused');
    const reused = await createProject(member.token, { title: 'Reused B' }, 'key-reused');
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await projectsTitled('Reused B')).toBe(0);
  });

  it('the same key on another route is 422 IDEMPOTENCY_KEY_REUSED', async () => {
    const org = await createOrganization(t);
    const member = await createMember(t, org.id, 'member');
    await createProject(member.token, { title: 'Route A' }, 'key-route');
    const other = await t.request('POST', '/datasets', {
      token: member.token,
      body: { title: 'Route A' },
      headers: { 'idempotency-key': 'key-route' },
    });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('keys belong to their caller: another user with the same key gets their own project', async () => {
    const org = await createOrganization(t);
    const alice = await createMember(t, org.id, 'member');
    const bob = await createMember(t, org.id, 'member');
    const a = await createProject(alice.token, { title: 'Shared key' }, 'key-shared');
    const b = await createProject(bob.token, { title: 'Shared key' }, 'key-shared');
    const aAgain = await createProject(alice.token, { title: 'Shared key' }, 'key-shared');
    expect(b.status).toBe(201);
    expect(b.body.id).not.toBe(a.body.id);
    expect(aAgain.body.id).toBe(a.body.id);
    expect(await projectsTitled('Shared key')).toBe(2);
  });

  it('a refused request (4xx) is replayed as refused, without running again', async () => {
    const org = await createOrganization(t);
    const member = await createMember(t, org.id, 'member');
    const first = await createProject(member.token, { title: '' }, 'key-invalid');
    const second = await createProject(member.token, { title: '' }, 'key-invalid');
    expect(first.status).toBe(400);
    expect(second.status).toBe(400);
    expect(second.body).toEqual(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.headers['content-type']).toContain('application/problem+json');
  });

  it('identical POSTs sent at once with one key create one project; the others replay it or are told to wait', async () => {
    const org = await createOrganization(t);
    const member = await createMember(t, org.id, 'member');
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => createProject(member.token, { title: 'Concurrent' }, 'key-concurrent')),
    );
    expect(await projectsTitled('Concurrent')).toBe(1);
    const created = answers.filter((a) => a.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((a) => a.body.id)).size).toBe(1);
    for (const waiting of answers.filter((a) => a.status !== 201)) {
      expect(waiting.status).toBe(409);
      expect(waiting.body.code).toBe('IDEMPOTENCY_KEY_IN_PROGRESS');
    }
  });

  it('a key that is not visible ASCII is 400 VALIDATION_FAILED', async () => {
    const org = await createOrganization(t);
    const member = await createMember(t, org.id, 'member');
    const bad = await createProject(member.token, { title: 'Bad key' }, 'x'.repeat(256));
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    expect(await projectsTitled('Bad key')).toBe(0);
  });

  it('an answer older than 24 hours is forgotten: the key creates again', async () => {
    const org = await createOrganization(t);
    const member = await createMember(t, org.id, 'member');
    await createProject(member.token, { title: 'Expired' }, 'key-expired');
    await t.sql(
      `update idempotency_keys set expires_at = now() - interval '1 second' where key = 'key-expired'`,
    );
    const again = await createProject(member.token, { title: 'Expired' }, 'key-expired');
    expect(again.status).toBe(201);
    expect(await projectsTitled('Expired')).toBe(2);
  });
});
