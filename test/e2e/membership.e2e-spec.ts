import { DatabaseError } from 'pg';
import { constraintError } from '../../src/common/constraint-errors';
import { createGroup } from '../factories/groups.factory';
import {
  addMembership,
  createMember,
  createOrganization,
  TestOrganization,
} from '../factories/organizations.factory';
import { addCollaborator, insertNotification, insertResource, roleOf } from '../factories/resources.factory';
import { createPlatformAdmin, createUser, TestUser, uniqueEmail } from '../factories/users.factory';
import { TestApp } from '../support/test-app';

describe('Organization members', () => {
  let t: TestApp;
  let operator: TestUser;
  let workforceOrg: TestOrganization;
  beforeAll(async () => {
    t = await TestApp.start();
    operator = await createPlatformAdmin(t);
    workforceOrg = await createOrganization(t, { isWorkforce: true });
  });
  afterAll(() => t.close());

  const membersUrl = (org: { id: string }) => `/organizations/${org.id}/members`;
  const memberUrl = (org: { id: string }, user: { id: string }) =>
    `/organizations/${org.id}/members/${user.id}`;
  const typeIn = async (org: { id: string }, user: { id: string }) =>
    (
      await t.sql<{ type: string }>(
        `select type from memberships where organization_id = ? and user_id = ?`,
        [org.id, user.id],
      )
    )[0]?.type ?? null;
  const auditActions = async (org: { id: string }) =>
    (
      await t.sql<{ action: string }>(
        `select action from audit_events where organization_id = ? order by created_at, id`,
        [org.id],
      )
    ).map((row) => row.action);
  const adminCount = async (org: { id: string }) =>
    Number(
      (
        await t.sql<{ count: string }>(
          `select count(*) from memberships where organization_id = ? and type = 'admin'`,
          [org.id],
        )
      )[0].count,
    );

  describe('listing', () => {
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
        joinedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
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

  describe('adding users', () => {
    let org: TestOrganization;
    let member: TestUser;
    beforeAll(async () => {
      org = await createOrganization(t);
      member = await createMember(t, org.id, 'member');
    });

    it('an unknown email becomes an invited user with the membership, and the change is audited', async () => {
      const email = uniqueEmail();
      const response = await t.post(
        membersUrl(org),
        { email: email.toUpperCase(), type: 'member' },
        member.token,
      );
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ email, name: '', type: 'member', status: 'invited' });
      const [event] = await t.sql(
        `select actor_id, target_id, data from audit_events where organization_id = ? and action = 'membership.added' and target_id = ?`,
        [org.id, response.body.userId],
      );
      expect(event).toMatchObject({
        actor_id: member.id,
        data: { email, type: 'member', status: 'invited' },
      });
    });

    it('a member cannot add an admin', async () => {
      const email = uniqueEmail();
      const response = await t.post(membersUrl(org), { email, type: 'admin' }, member.token);
      expect(response.status).toBe(403);
      expect(response.body.code).toBe('FORBIDDEN');
      expect(await t.sql(`select 1 from users where email = ?`, [email])).toHaveLength(0);
    });

    it('an admin adds an admin', async () => {
      const response = await t.post(
        membersUrl(org),
        { email: uniqueEmail(), type: 'admin' },
        org.admin.token,
      );
      expect(response.status).toBe(201);
      expect(response.body.type).toBe('admin');
    });

    it('adding someone already in the organization is ALREADY_MEMBER', async () => {
      const response = await t.post(
        membersUrl(org),
        { email: member.email, type: 'external' },
        org.admin.token,
      );
      expect(response.status).toBe(409);
      expect(response.body.code).toBe('ALREADY_MEMBER');
    });

    it.each(['admin', 'member'])(
      'making someone %s when they are internal in another organization is ALREADY_INTERNAL_ELSEWHERE',
      async (type) => {
        const elsewhere = await createOrganization(t);
        const internal = await createMember(t, elsewhere.id, 'member');
        const response = await t.post(membersUrl(org), { email: internal.email, type }, org.admin.token);
        expect(response.status).toBe(409);
        expect(response.body.code).toBe('ALREADY_INTERNAL_ELSEWHERE');
        expect(await typeIn(org, internal)).toBeNull();
      },
    );

    it.each(['admin', 'member'])(
      "making someone %s whose email's domain belongs to another organization is DOMAIN_OF_OTHER_ORGANIZATION, and nothing is written",
      async (type) => {
        const owner = await createOrganization(t);
        const email = uniqueEmail(owner.domains[0]).toUpperCase();
        const response = await t.post(membersUrl(org), { email, type }, org.admin.token);
        expect(response.status).toBe(409);
        expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(response.body.code).toBe('DOMAIN_OF_OTHER_ORGANIZATION');
        expect(await t.sql(`select 1 from users where email = ?`, [email.toLowerCase()])).toHaveLength(0);
        expect(
          await t.sql(`select 1 from audit_events where data->>'email' = ?`, [email.toLowerCase()]),
        ).toHaveLength(0);
      },
    );

    it("people of another organization's domain can still be external here, and resource invitations make them external", async () => {
      const owner = await createOrganization(t);
      const added = await t.post(
        membersUrl(org),
        { email: uniqueEmail(owner.domains[0]), type: 'external' },
        member.token,
      );
      expect(added.status).toBe(201);
      expect(added.body.type).toBe('external');
      const project = await insertResource(t, {
        kind: 'project',
        organizationId: org.id,
        ownerId: org.admin.id,
      });
      const invited = await t.post(
        `/projects/${project.id}/collaborators`,
        { emails: [uniqueEmail(owner.domains[0])], role: 'annotator' },
        org.admin.token,
      );
      expect(invited.status).toBe(201);
      expect(invited.body.added[0].organizationType).toBe('external');
    });

    it('someone internal elsewhere can still be external here', async () => {
      const elsewhere = await createOrganization(t);
      const internal = await createMember(t, elsewhere.id, 'member');
      const response = await t.post(
        membersUrl(org),
        { email: internal.email, type: 'external' },
        member.token,
      );
      expect(response.status).toBe(201);
    });

    it('workforce needs the user to be internal in a workforce organization: NOT_WORKFORCE_ELIGIBLE otherwise', async () => {
      const stranger = await createUser(t);
      const response = await t.post(
        membersUrl(org),
        { email: stranger.email, type: 'workforce' },
        member.token,
      );
      expect(response.status).toBe(422);
      expect(response.body.code).toBe('NOT_WORKFORCE_ELIGIBLE');

      const ordinaryOrg = await createOrganization(t);
      const internalInOrdinary = await createMember(t, ordinaryOrg.id, 'member');
      const again = await t.post(
        membersUrl(org),
        { email: internalInOrdinary.email, type: 'workforce' },
        member.token,
      );
      expect(again.status).toBe(422);
      expect(again.body.code).toBe('NOT_WORKFORCE_ELIGIBLE');

      const contractor = await createMember(t, workforceOrg.id, 'member');
      const ok = await t.post(membersUrl(org), { email: contractor.email, type: 'workforce' }, member.token);
      expect(ok.status).toBe(201);
      expect(ok.body.type).toBe('workforce');
    });

    it('a workforce membership elsewhere does not make anyone workforce-eligible', async () => {
      const contractor = await createMember(t, workforceOrg.id, 'external');
      const response = await t.post(
        membersUrl(org),
        { email: contractor.email, type: 'workforce' },
        member.token,
      );
      expect(response.status).toBe(422);
      expect(response.body.code).toBe('NOT_WORKFORCE_ELIGIBLE');
    });

    it('a refused add leaves nothing behind: no invited user, no audit event', async () => {
      const before = await auditActions(org);
      const email = uniqueEmail();
      const response = await t.post(membersUrl(org), { email, type: 'workforce' }, org.admin.token);
      expect(response.status).toBe(422);
      expect(await t.sql(`select 1 from users where email = ?`, [email])).toHaveLength(0);
      expect(await auditActions(org)).toEqual(before);
    });

    it('refuses unknown types, bad emails and unknown fields', async () => {
      for (const body of [
        { email: uniqueEmail(), type: 'owner' },
        { email: 'not an email', type: 'member' },
        { email: uniqueEmail(), type: 'member', isPlatformAdmin: true },
      ]) {
        const response = await t.post(membersUrl(org), body, org.admin.token);
        expect(response.status).toBe(400);
        expect(response.body.code).toBe('VALIDATION_FAILED');
      }
    });

    it('20 concurrent adds of the same email create one membership: one 201, the rest ALREADY_MEMBER', async () => {
      const email = uniqueEmail();
      const responses = await Promise.all(
        Array.from({ length: 20 }, () => t.post(membersUrl(org), { email, type: 'member' }, org.admin.token)),
      );
      const statuses = responses.map((r) => r.status).sort();
      expect(statuses).toEqual([201, ...Array(19).fill(409)]);
      expect(new Set(responses.filter((r) => r.status === 409).map((r) => r.body.code))).toEqual(
        new Set(['ALREADY_MEMBER']),
      );
      const rows = await t.sql(
        `select m.type from memberships m join users u on u.id = m.user_id where u.email = ?`,
        [email],
      );
      expect(rows).toEqual([{ type: 'member' }]);
    });

    it('20 concurrent adds of one user as member of 20 organizations leave them internal in one only', async () => {
      const organizations = await Promise.all(Array.from({ length: 20 }, () => createOrganization(t)));
      const email = uniqueEmail();
      await createUser(t, { email });
      const responses = await Promise.all(
        organizations.map((o) => t.post(membersUrl(o), { email, type: 'member' }, o.admin.token)),
      );
      expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
      const refused = responses.filter((r) => r.status !== 201);
      expect(refused.map((r) => `${r.status} ${r.body.code}`)).toEqual(
        Array(19).fill('409 ALREADY_INTERNAL_ELSEWHERE'),
      );
    });
  });

  describe('changing types', () => {
    let org: TestOrganization;
    beforeAll(async () => {
      org = await createOrganization(t);
    });

    it('an admin promotes a member to admin and demotes them back, both audited', async () => {
      const user = await createMember(t, org.id, 'member');
      const promoted = await t.patch(memberUrl(org, user), { type: 'admin' }, org.admin.token);
      expect(promoted.status).toBe(200);
      expect(promoted.body).toMatchObject({ userId: user.id, type: 'admin' });
      const demoted = await t.patch(memberUrl(org, user), { type: 'member' }, org.admin.token);
      expect(demoted.status).toBe(200);
      expect(demoted.body.type).toBe('member');
      const events = await t.sql(
        `select action, data from audit_events where organization_id = ? and target_id = ? order by created_at`,
        [org.id, user.id],
      );
      expect(events).toEqual([
        { action: 'membership.promoted', data: { before: { type: 'member' }, after: { type: 'admin' } } },
        { action: 'membership.demoted', data: { before: { type: 'admin' }, after: { type: 'member' } } },
      ]);
    });

    it('a member cannot promote a member to admin', async () => {
      const caller = await createMember(t, org.id, 'member');
      const user = await createMember(t, org.id, 'member');
      const response = await t.patch(memberUrl(org, user), { type: 'admin' }, caller.token);
      expect(response.status).toBe(403);
      expect(await typeIn(org, user)).toBe('member');
    });

    it.each(['workforce', 'external'] as const)(
      'a %s user cannot be made admin or member: NOT_INTERNAL',
      async (type) => {
        const user = await createMember(t, workforceOrg.id, 'member');
        await addMembership(t, org.id, user, type);
        for (const target of ['admin', 'member']) {
          const response = await t.patch(memberUrl(org, user), { type: target }, org.admin.token);
          expect(response.status).toBe(422);
          expect(response.body.code).toBe('NOT_INTERNAL');
        }
        expect(await typeIn(org, user)).toBe(type);
      },
    );

    it('only admin and member are accepted as the new type', async () => {
      const user = await createMember(t, org.id, 'member');
      const response = await t.patch(memberUrl(org, user), { type: 'workforce' }, org.admin.token);
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    });

    it('the last admin cannot be demoted: LAST_ADMIN', async () => {
      const lonely = await createOrganization(t);
      const response = await t.patch(memberUrl(lonely, lonely.admin), { type: 'member' }, lonely.admin.token);
      expect(response.status).toBe(409);
      expect(response.body.code).toBe('LAST_ADMIN');
      expect(await typeIn(lonely, lonely.admin)).toBe('admin');
    });

    it('an admin may demote themselves while another admin remains', async () => {
      const pair = await createOrganization(t);
      await createMember(t, pair.id, 'admin');
      const response = await t.patch(memberUrl(pair, pair.admin), { type: 'member' }, pair.admin.token);
      expect(response.status).toBe(200);
      expect(response.body.type).toBe('member');
    });

    it('a user of no membership here is not found', async () => {
      const stranger = await createUser(t);
      const response = await t.patch(memberUrl(org, stranger), { type: 'admin' }, org.admin.token);
      expect(response.status).toBe(404);
      expect(response.body.code).toBe('NOT_FOUND');
    });

    it('20 concurrent demotions and removals aimed at all 20 admins leave exactly one admin', async () => {
      const target = await createOrganization(t);
      const admins = [target.admin];
      for (let i = 1; i < 20; i++) admins.push(await createMember(t, target.id, 'admin'));
      // The platform operator demotes half and removes the other half, all at once.
      const responses = await Promise.all(
        admins.map((admin, i) =>
          i % 2 === 0
            ? t.patch(memberUrl(target, admin), { type: 'member' }, operator.token)
            : t.delete(memberUrl(target, admin), operator.token),
        ),
      );
      expect(await adminCount(target)).toBe(1);
      const refused = responses.filter((r) => r.status >= 300);
      expect(refused.map((r) => `${r.status} ${r.body.code}`)).toEqual(['409 LAST_ADMIN']);
    });

    it('20 admins demoting themselves at once leave exactly one admin', async () => {
      const target = await createOrganization(t);
      const admins = [target.admin];
      for (let i = 1; i < 20; i++) admins.push(await createMember(t, target.id, 'admin'));
      const responses = await Promise.all(
        admins.map((admin) => t.patch(memberUrl(target, admin), { type: 'member' }, admin.token)),
      );
      expect(await adminCount(target)).toBe(1);
      expect(responses.filter((r) => r.status === 200)).toHaveLength(19);
      expect(responses.filter((r) => r.status !== 200).map((r) => r.body.code)).toEqual(['LAST_ADMIN']);
    });

    it('the database keeps an admin when the code is bypassed, and its refusal at commit answers 409 LAST_ADMIN', async () => {
      const lonely = await createOrganization(t);
      const refusal = await t
        .em()
        .transactional((em) =>
          em
            .getConnection()
            .execute(
              `update memberships set type = 'member' where organization_id = ? and user_id = ?`,
              [lonely.id, lonely.admin.id],
              'run',
              em.getTransactionContext(),
            ),
        )
        .catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(Error);
      expect(constraintError(refusal as Error & DatabaseError)).toMatchObject({
        status: 409,
        code: 'LAST_ADMIN',
      });
      expect(await typeIn(lonely, lonely.admin)).toBe('admin');
    });
  });

  describe('removing users', () => {
    let org: TestOrganization;
    beforeAll(async () => {
      org = await createOrganization(t);
    });

    it("removal takes away the user's groups, collaborator roles and notifications in the organization, nothing elsewhere", async () => {
      const user = await createMember(t, org.id, 'member');
      const group = await createGroup(t, org.id, { memberIds: [user.id] });
      const project = await insertResource(t, {
        kind: 'project',
        organizationId: org.id,
        ownerId: org.admin.id,
      });
      await addCollaborator(t, project.id, user.id, 'annotator');
      await insertNotification(t, project.id, [user.id]);
      // Elsewhere: a resource of no organization where the user collaborates; it stays.
      const personal = await insertResource(t, {
        kind: 'project',
        organizationId: null,
        ownerId: org.admin.id,
      });
      await addCollaborator(t, personal.id, user.id, 'reviewer');

      const response = await t.delete(memberUrl(org, user), org.admin.token);
      expect(response.status).toBe(204);
      expect(await typeIn(org, user)).toBeNull();
      expect(
        await t.sql(`select 1 from group_members where group_id = ? and user_id = ?`, [group.id, user.id]),
      ).toEqual([]);
      expect(await roleOf(t, project.id, user.id)).toBeNull();
      expect(await t.sql(`select 1 from notification_recipients where user_id = ?`, [user.id])).toEqual([]);
      expect(await roleOf(t, personal.id, user.id)).toBe('reviewer');
      const [event] = await t.sql(
        `select actor_id, data from audit_events where organization_id = ? and action = 'membership.removed' and target_id = ?`,
        [org.id, user.id],
      );
      expect(event).toEqual({
        actor_id: org.admin.id,
        data: {
          before: { type: 'member' },
          replacementUserId: null,
          handedOver: [],
          removed: { collaborations: 1, groupMemberships: 1, notificationRecipients: 1 },
        },
      });
    });

    it('an admin cannot remove an admin: ADMIN_NOT_REMOVABLE', async () => {
      const other = await createMember(t, org.id, 'admin');
      const response = await t.delete(memberUrl(org, other), org.admin.token);
      expect(response.status).toBe(409);
      expect(response.body.code).toBe('ADMIN_NOT_REMOVABLE');
      expect(await typeIn(org, other)).toBe('admin');
    });

    it('a platform admin removes an admin who is not the last, but never the last', async () => {
      const pair = await createOrganization(t);
      const second = await createMember(t, pair.id, 'admin');
      expect((await t.delete(memberUrl(pair, second), operator.token)).status).toBe(204);
      const last = await t.delete(memberUrl(pair, pair.admin), operator.token);
      expect(last.status).toBe(409);
      expect(last.body.code).toBe('LAST_ADMIN');
    });

    it('a member cannot remove anyone', async () => {
      const caller = await createMember(t, org.id, 'member');
      const user = await createMember(t, org.id, 'external');
      expect((await t.delete(memberUrl(org, user), caller.token)).status).toBe(403);
      expect(await typeIn(org, user)).toBe('external');
    });

    describe('sole-admin hand-over', () => {
      it('the preview lists the resources the user alone administers, and changes nothing', async () => {
        const user = await createMember(t, org.id, 'member');
        const dataset = await insertResource(t, {
          kind: 'dataset',
          organizationId: org.id,
          ownerId: user.id,
          title: 'Cats',
        });
        const project = await insertResource(t, {
          kind: 'project',
          organizationId: org.id,
          ownerId: user.id,
          title: 'Labelling',
        });
        // Shared admin: not sole, not listed.
        const shared = await insertResource(t, {
          kind: 'ontology',
          organizationId: org.id,
          ownerId: user.id,
        });
        await addCollaborator(t, shared.id, org.admin.id, 'admin');
        // Another organization's resource: not listed.
        const elsewhere = await createOrganization(t);
        await insertResource(t, { kind: 'project', organizationId: elsewhere.id, ownerId: user.id });

        const preview = await t.get(`${memberUrl(org, user)}/removal-preview`, org.admin.token);
        expect(preview.status).toBe(200);
        expect(preview.body).toEqual({
          soleAdminOf: [
            { resourceType: 'dataset', id: dataset.id, title: 'Cats' },
            { resourceType: 'project', id: project.id, title: 'Labelling' },
          ],
        });
        expect(await typeIn(org, user)).toBe('member');
        expect(await roleOf(t, project.id, user.id)).toBe('admin');
      });

      it('removal without a replacement is REPLACEMENT_REQUIRED with the list, and nothing is removed', async () => {
        const user = await createMember(t, org.id, 'member');
        const project = await insertResource(t, {
          kind: 'project',
          organizationId: org.id,
          ownerId: user.id,
          title: 'Solo',
        });
        const group = await createGroup(t, org.id, { memberIds: [user.id] });
        const before = await auditActions(org);

        const response = await t.delete(memberUrl(org, user), org.admin.token);
        expect(response.status).toBe(409);
        expect(response.body.code).toBe('REPLACEMENT_REQUIRED');
        expect(response.body.soleAdminOf).toEqual([
          { resourceType: 'project', id: project.id, title: 'Solo' },
        ]);
        expect(await typeIn(org, user)).toBe('member');
        expect(await roleOf(t, project.id, user.id)).toBe('admin');
        expect(await t.sql(`select 1 from group_members where group_id = ?`, [group.id])).toHaveLength(1);
        expect(await auditActions(org)).toEqual(before);
      });

      it('with a replacement, the replacement becomes admin of each resource in the same transaction as the removal', async () => {
        const user = await createMember(t, org.id, 'member');
        const replacement = await createMember(t, org.id, 'member');
        const project = await insertResource(t, {
          kind: 'project',
          organizationId: org.id,
          ownerId: user.id,
        });
        const dataset = await insertResource(t, {
          kind: 'dataset',
          organizationId: org.id,
          ownerId: user.id,
        });
        // Already a collaborator of the dataset: raised to admin rather than added twice.
        await addCollaborator(t, dataset.id, replacement.id, 'user');

        const response = await t.delete(
          `${memberUrl(org, user)}?replacementUserId=${replacement.id}`,
          org.admin.token,
        );
        expect(response.status).toBe(204);
        expect(await typeIn(org, user)).toBeNull();
        expect(await roleOf(t, project.id, replacement.id)).toBe('admin');
        expect(await roleOf(t, dataset.id, replacement.id)).toBe('admin');
        expect(await roleOf(t, project.id, user.id)).toBeNull();
        const handOvers = await t.sql(
          `select target_id, data from audit_events where action = 'collaborator.admin_handed_over' and data->>'fromUserId' = ? order by target_type`,
          [user.id],
        );
        expect(handOvers).toEqual([
          {
            target_id: dataset.id,
            data: { fromUserId: user.id, toUserId: replacement.id, previousRole: 'user' },
          },
          {
            target_id: project.id,
            data: { fromUserId: user.id, toUserId: replacement.id, previousRole: null },
          },
        ]);
      });

      it('a failure half-way through the hand-over leaves nothing changed', async () => {
        const user = await createMember(t, org.id, 'member');
        const replacement = await createMember(t, org.id, 'member');
        const project = await insertResource(t, {
          kind: 'project',
          organizationId: org.id,
          ownerId: user.id,
        });
        const group = await createGroup(t, org.id, { memberIds: [user.id] });
        const before = await auditActions(org);
        // Fails the statement that removes this user's group places: after the hand-over and the
        // membership removal have run in the transaction, before it commits.
        await t.sql(`create function fail_for_test() returns trigger language plpgsql as $$
                     begin raise exception 'injected failure'; end $$`);
        await t.sql(`create trigger fail_for_test before delete on group_members
                     for each row when (old.user_id = '${user.id}') execute function fail_for_test()`);
        try {
          const response = await t.delete(
            `${memberUrl(org, user)}?replacementUserId=${replacement.id}`,
            org.admin.token,
          );
          expect(response.status).toBe(500);
          expect(JSON.stringify(response.body)).not.toMatch(/injected|group_members|trigger/);
        } finally {
          await t.sql('drop trigger fail_for_test on group_members');
          await t.sql('drop function fail_for_test()');
        }
        expect(await typeIn(org, user)).toBe('member');
        expect(await roleOf(t, project.id, user.id)).toBe('admin');
        expect(await roleOf(t, project.id, replacement.id)).toBeNull();
        expect(await t.sql(`select 1 from group_members where group_id = ?`, [group.id])).toHaveLength(1);
        expect(await auditActions(org)).toEqual(before);
      });

      it('the replacement must be another internal user of the organization: INVALID_REPLACEMENT', async () => {
        const user = await createMember(t, org.id, 'member');
        await insertResource(t, { kind: 'project', organizationId: org.id, ownerId: user.id });
        const external = await createMember(t, org.id, 'external');
        const elsewhere = await createOrganization(t);
        const stranger = await createUser(t);
        for (const candidate of [external.id, user.id, elsewhere.admin.id, stranger.id]) {
          const response = await t.delete(
            `${memberUrl(org, user)}?replacementUserId=${candidate}`,
            org.admin.token,
          );
          expect(response.status).toBe(422);
          expect(response.body.code).toBe('INVALID_REPLACEMENT');
        }
        expect(await typeIn(org, user)).toBe('member');
      });

      it('a replacement id that is not a uuid is a validation error', async () => {
        const user = await createMember(t, org.id, 'member');
        const response = await t.delete(`${memberUrl(org, user)}?replacementUserId=bob`, org.admin.token);
        expect(response.status).toBe(400);
      });
    });
  });
});
