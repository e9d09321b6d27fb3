import { AddressInfo } from 'node:net';
import {
  createClient,
  paginate,
  resumeSession,
  signIn,
  unwrap,
  type OrgsClient,
} from '../../clients/typescript/src';
import { mailedToken } from '../factories/users.factory';
import { PLATFORM_ADMIN_EMAIL, TestApp } from '../support/test-app';

const PASSWORD = 'correct horse battery';

/** The whole product, driven only through the generated SDK over a real socket. */
describe('The TypeScript SDK drives the product story', () => {
  let t: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    t = await TestApp.start();
    await t.app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(() => t.close());

  /** Sign up, verify from the mailed link, and a session whose client refreshes its token when it is refused. */
  async function signedIn(email: string, name: string): Promise<{ api: OrgsClient; userId: string }> {
    const anonymous = createClient({ baseUrl });
    const signup = unwrap(
      await anonymous.POST('/auth/signup', { body: { email, password: PASSWORD, name } }),
    );
    unwrap(await anonymous.POST('/auth/verify-email', { body: { token: await mailedToken(t, email) } }));
    const session = await signIn({ baseUrl, email, password: PASSWORD });
    return { api: session.api, userId: signup.user.id };
  }

  it('a session refreshes its access token once on a 401, one refresh for concurrent requests, and ends at logout', async () => {
    await signedIn('refresher@example.test', 'Refresher');
    const stored: string[] = [];
    const first = await signIn({
      baseUrl,
      email: 'refresher@example.test',
      password: PASSWORD,
      onTokens: (tokens) => void stored.push(tokens.refreshToken),
    });
    // A restarted app has only the stored refresh token: its first requests are refused, then refreshed.
    const resumed = resumeSession({
      baseUrl,
      refreshToken: first.refreshToken,
      onTokens: (tokens) => void stored.push(tokens.refreshToken),
    });
    const answers = await Promise.all([
      resumed.api.GET('/me'),
      resumed.api.GET('/me'),
      resumed.api.GET('/me'),
    ]);
    expect(answers.map((answer) => answer.response.status)).toEqual([200, 200, 200]);
    // One refresh for the three: a second one with the same token would have ended the session.
    expect(stored).toHaveLength(2);
    expect(resumed.refreshToken).toBe(stored[1]);
    expect(unwrap(await resumed.api.GET('/me')).email).toBe('refresher@example.test');

    await resumed.logout();
    expect((await resumed.api.GET('/me')).response.status).toBe(401);
    expect(await resumed.refresh()).toBeUndefined();
  });

  it('sign-up, organization, domain join, members, groups, workforce, resources, invitations, tags, removal, audit', async () => {
    const operator = await signedIn(PLATFORM_ADMIN_EMAIL, 'Operator');
    expect(unwrap(await operator.api.GET('/me')).isPlatformAdmin).toBe(true);

    // The platform creates Acme with its domain and first admin; the admin signs up and is its admin.
    const acme = unwrap(
      await operator.api.POST('/platform/organizations', {
        body: { name: 'Acme', domains: ['acme.test'], adminEmails: ['boss@acme.test'] },
      }),
    );
    const boss = await signedIn('boss@acme.test', 'Boss Person');
    expect(unwrap(await boss.api.GET('/me')).memberships).toEqual([
      expect.objectContaining({ organization: expect.objectContaining({ id: acme.id }), type: 'admin' }),
    ]);

    // Domain auto-join: someone at acme.test signs up and is a member.
    const alice = await signedIn('alice@acme.test', 'Alice Annotator');
    const orgId = acme.id;
    const members = [];
    for await (const member of paginate((cursor) =>
      boss.api.GET('/organizations/{orgId}/members', {
        params: { path: { orgId }, query: { cursor, limit: 1 } },
      }),
    ))
      members.push(member.email);
    expect(members.sort()).toEqual(['alice@acme.test', 'boss@acme.test']);

    // Autocomplete: from the beginning of any word of the name.
    const found = unwrap(
      await boss.api.GET('/organizations/{orgId}/members', {
        params: { path: { orgId }, query: { q: 'annot' } },
      }),
    );
    expect(found.items.map((m) => m.email)).toEqual(['alice@acme.test']);

    // A group, and a workforce organization whose user is added to Acme as workforce.
    const group = unwrap(
      await boss.api.POST('/organizations/{orgId}/groups', {
        params: { path: { orgId } },
        body: { name: 'Annotators', memberIds: [alice.userId] },
      }),
    );
    expect(group.members.map((m) => m.userId)).toEqual([alice.userId]);
    unwrap(
      await operator.api.POST('/platform/organizations', {
        body: { name: 'Crowd', domains: ['crowd.test'], adminEmails: ['lead@crowd.test'], isWorkforce: true },
      }),
    );
    const worker = await signedIn('worker@crowd.test', 'Worker');
    const added = unwrap(
      await boss.api.POST('/organizations/{orgId}/members', {
        params: { path: { orgId } },
        body: { email: 'worker@crowd.test', type: 'workforce' },
      }),
    );
    expect(added.type).toBe('workforce');

    // Resources: a project created once even when the create is retried with its Idempotency-Key.
    const create = () =>
      alice.api.POST('/projects', {
        body: { title: 'Cats' },
        headers: { 'Idempotency-Key': 'story-cats' },
      });
    const project = unwrap(await create());
    expect(unwrap(await create()).id).toBe(project.id);
    const dataset = unwrap(await alice.api.POST('/datasets', { body: { title: 'Images' } }));
    unwrap(
      await alice.api.POST('/projects/{id}/datasets', {
        params: { path: { id: project.id } },
        body: { datasetId: dataset.id },
      }),
    );

    // Invitations: collaborators by email, a group with a role.
    const invited = unwrap(
      await alice.api.POST('/projects/{id}/collaborators', {
        params: { path: { id: project.id } },
        body: { emails: ['worker@crowd.test', 'guest@elsewhere.test'], role: 'annotator' },
      }),
    );
    expect(invited.added.map((a) => a.email).sort()).toEqual(['guest@elsewhere.test', 'worker@crowd.test']);
    // The guest has no account: an invitation the admin sees, mailed, and can resend.
    const pending = unwrap(
      await boss.api.GET('/organizations/{orgId}/invitations', { params: { path: { orgId } } }),
    );
    const guestInvitation = pending.items.find((i) => i.email === 'guest@elsewhere.test');
    expect(guestInvitation).toMatchObject({ type: 'external', invitedBy: alice.userId });
    const resent = await boss.api.POST('/organizations/{orgId}/invitations/{id}/resend', {
      params: { path: { orgId, id: guestInvitation!.id } },
    });
    expect(resent.response.status).toBe(202);
    unwrap(
      await alice.api.POST('/projects/{id}/groups', {
        params: { path: { id: project.id } },
        body: { groupId: group.id, role: 'reviewer' },
      }),
    );
    expect(
      unwrap(await worker.api.GET('/projects/{id}', { params: { path: { id: project.id } } })).myRole,
    ).toBe('annotator');

    // Tags and both filters.
    const urgent = unwrap(
      await boss.api.POST('/organizations/{orgId}/tags', {
        params: { path: { orgId } },
        body: { name: 'urgent' },
      }),
    );
    const medical = unwrap(
      await boss.api.POST('/organizations/{orgId}/tags', {
        params: { path: { orgId } },
        body: { name: 'medical' },
      }),
    );
    const dogs = unwrap(await alice.api.POST('/projects', { body: { title: 'Dogs' } }));
    for (const [id, tagId] of [
      [project.id, urgent.id],
      [project.id, medical.id],
      [dogs.id, urgent.id],
    ]) {
      unwrap(await alice.api.POST('/projects/{id}/tags', { params: { path: { id } }, body: { tagId } }));
    }
    const titles = async (query: { tags?: string[]; tagsAny?: string[] }) =>
      unwrap(
        await boss.api.GET('/organizations/{orgId}/projects', { params: { path: { orgId }, query } }),
      ).items.map((p) => p.title);
    expect(await titles({ tags: [urgent.id, medical.id] })).toEqual(['Cats']);
    expect((await titles({ tagsAny: [urgent.id, medical.id] })).sort()).toEqual(['Cats', 'Dogs']);

    // Removal with hand-over: Alice is the only admin of her resources; the boss takes them over.
    const removal = await boss.api.DELETE('/organizations/{orgId}/members/{userId}', {
      params: { path: { orgId, userId: alice.userId } },
    });
    expect(removal.response.status).toBe(409);
    expect((removal.error as unknown as { code: string }).code).toBe('REPLACEMENT_REQUIRED');
    const preview = unwrap(
      await boss.api.GET('/organizations/{orgId}/members/{userId}/removal-preview', {
        params: { path: { orgId, userId: alice.userId } },
      }),
    );
    expect(preview.soleAdminOf.map((r) => r.title).sort()).toEqual(['Cats', 'Dogs', 'Images']);
    const removed = await boss.api.DELETE('/organizations/{orgId}/members/{userId}', {
      params: { path: { orgId, userId: alice.userId }, query: { replacementUserId: boss.userId } },
    });
    expect(removed.response.status).toBe(204);
    expect(
      unwrap(await boss.api.GET('/projects/{id}', { params: { path: { id: project.id } } })).myRole,
    ).toBe('admin');

    // The audit log tells the story, filtered by actor.
    const actions = [];
    for await (const event of paginate((cursor) =>
      boss.api.GET('/organizations/{orgId}/audit-events', {
        params: { path: { orgId }, query: { cursor, actorId: boss.userId } },
      }),
    ))
      actions.push(event.action);
    expect(actions).toEqual(
      expect.arrayContaining(['group.created', 'membership.added', 'membership.removed']),
    );
  });
});
