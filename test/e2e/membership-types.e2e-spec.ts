import { DatabaseError } from 'pg';
import { constraintError } from '../../src/common/constraint-errors';
import {
  addMembership,
  adminCount,
  createMember,
  createOrganization,
  memberUrl,
  membershipTypeOf,
  TestOrganization,
} from '../factories/organizations.factory';
import { createPlatformAdmin, createUser, TestUser } from '../factories/users.factory';
import { auditEvents } from '../support/audit-log';
import { TestApp } from '../support/test-app';

describe('Organization members: changing types', () => {
  let t: TestApp;
  let operator: TestUser;
  let workforceOrg: TestOrganization;
  beforeAll(async () => {
    t = await TestApp.start();
    operator = await createPlatformAdmin(t);
    workforceOrg = await createOrganization(t, { isWorkforce: true });
  });
  afterAll(() => t.close());

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
    const events = await auditEvents(t, { organizationId: org.id, targetId: user.id });
    expect(events).toMatchObject([
      { action: 'membership.promoted', data: { before: { type: 'member' }, after: { type: 'admin' } } },
      { action: 'membership.demoted', data: { before: { type: 'admin' }, after: { type: 'member' } } },
    ]);
  });

  it('a member cannot promote a member to admin', async () => {
    const caller = await createMember(t, org.id, 'member');
    const user = await createMember(t, org.id, 'member');
    const response = await t.patch(memberUrl(org, user), { type: 'admin' }, caller.token);
    expect(response.status).toBe(403);
    expect(await membershipTypeOf(t, org, user)).toBe('member');
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
      expect(await membershipTypeOf(t, org, user)).toBe(type);
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
    expect(await membershipTypeOf(t, lonely, lonely.admin)).toBe('admin');
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
    expect(await adminCount(t, target)).toBe(1);
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
    expect(await adminCount(t, target)).toBe(1);
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
    expect(await membershipTypeOf(t, lonely, lonely.admin)).toBe('admin');
  });
});
