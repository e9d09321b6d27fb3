import { createGroup } from '../factories/groups.factory';
import {
  createMember,
  createOrganization,
  memberUrl,
  membershipTypeOf,
  TestOrganization,
} from '../factories/organizations.factory';
import { addCollaborator, insertNotification, insertResource, roleOf } from '../factories/resources.factory';
import { createPlatformAdmin, createUser, TestUser } from '../factories/users.factory';
import { auditActions, auditEvents } from '../support/audit-log';
import { TestApp } from '../support/test-app';

describe('Organization members: removal and sole-admin hand-over', () => {
  let t: TestApp;
  let operator: TestUser;
  beforeAll(async () => {
    t = await TestApp.start();
    operator = await createPlatformAdmin(t);
  });
  afterAll(() => t.close());

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
    expect(await membershipTypeOf(t, org, user)).toBeNull();
    expect(
      await t.sql(`select 1 from group_members where group_id = ? and user_id = ?`, [group.id, user.id]),
    ).toEqual([]);
    expect(await roleOf(t, project.id, user.id)).toBeNull();
    expect(await t.sql(`select 1 from notification_recipients where user_id = ?`, [user.id])).toEqual([]);
    expect(await roleOf(t, personal.id, user.id)).toBe('reviewer');
    const [event] = await auditEvents(t, {
      organizationId: org.id,
      action: 'membership.removed',
      targetId: user.id,
    });
    expect(event).toMatchObject({
      actorId: org.admin.id,
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
    expect(await membershipTypeOf(t, org, other)).toBe('admin');
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
    expect(await membershipTypeOf(t, org, user)).toBe('external');
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
      expect(await membershipTypeOf(t, org, user)).toBe('member');
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
      const before = await auditActions(t, { organizationId: org.id });

      const response = await t.delete(memberUrl(org, user), org.admin.token);
      expect(response.status).toBe(409);
      expect(response.body.code).toBe('REPLACEMENT_REQUIRED');
      expect(response.body.soleAdminOf).toEqual([{ resourceType: 'project', id: project.id, title: 'Solo' }]);
      expect(await membershipTypeOf(t, org, user)).toBe('member');
      expect(await roleOf(t, project.id, user.id)).toBe('admin');
      expect(await t.sql(`select 1 from group_members where group_id = ?`, [group.id])).toHaveLength(1);
      expect(await auditActions(t, { organizationId: org.id })).toEqual(before);
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
      expect(await membershipTypeOf(t, org, user)).toBeNull();
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
      const before = await auditActions(t, { organizationId: org.id });
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
      expect(await membershipTypeOf(t, org, user)).toBe('member');
      expect(await roleOf(t, project.id, user.id)).toBe('admin');
      expect(await roleOf(t, project.id, replacement.id)).toBeNull();
      expect(await t.sql(`select 1 from group_members where group_id = ?`, [group.id])).toHaveLength(1);
      expect(await auditActions(t, { organizationId: org.id })).toEqual(before);
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
      expect(await membershipTypeOf(t, org, user)).toBe('member');
    });

    it('a replacement id that is not a uuid is a validation error', async () => {
      const user = await createMember(t, org.id, 'member');
      const response = await t.delete(`${memberUrl(org, user)}?replacementUserId=bob`, org.admin.token);
      expect(response.status).toBe(400);
    });
  });
});
