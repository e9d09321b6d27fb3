import { Migration20261128110000_rights_need_membership as RightsNeedMembership } from '../../src/migrations/Migration20261128110000_rights_need_membership';
import { createGroup } from '../factories/groups.factory';
import { createMember, createOrganization } from '../factories/organizations.factory';
import { insertNotification, insertResource } from '../factories/resources.factory';
import { TestApp } from '../support/test-app';

/** This file's database goes back before the migration, gets the rows earlier races left, then migrates again. */
describe(RightsNeedMembership.name, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  const run = async (direction: 'up' | 'down') => {
    const sut = new RightsNeedMembership(t.orm.em.getDriver(), t.orm.config);
    await sut[direction]();
    for (const query of sut.getQueries()) await t.sql(String(query));
  };

  it('keeps the rights left without a membership visible as external users, drops such group places, and audits both', async () => {
    const org = await createOrganization(t);
    const removed = await createMember(t, org.id, 'member');
    const project = await insertResource(t, { kind: 'project', ownerId: removed.id, organizationId: org.id });
    const notification = await insertNotification(t, project.id, [removed.id]);
    const group = await createGroup(t, org.id, { memberIds: [removed.id] });

    await run('down');
    // What a removal racing grants used to leave: rights without the membership.
    await t.sql('delete from memberships where organization_id = ? and user_id = ?', [org.id, removed.id]);
    await run('up');

    const [membership] = await t.sql(
      'select type from memberships where organization_id = ? and user_id = ?',
      [org.id, removed.id],
    );
    expect(membership).toEqual({ type: 'external' });
    expect(await t.sql('select role from collaborators where resource_id = ?', [project.id])).toEqual([
      { role: 'admin' },
    ]);
    expect(
      await t.sql('select organization_id from notification_recipients where notification_id = ?', [
        notification.id,
      ]),
    ).toEqual([{ organization_id: org.id }]);
    expect(await t.sql('select 1 from group_members where group_id = ?', [group.id])).toHaveLength(0);
    const audit = await t.sql<{ action: string }>(
      `select action from audit_events where organization_id = ? and actor_id is null order by action`,
      [org.id],
    );
    expect(audit.map((event) => event.action)).toEqual(['group.member_removed', 'membership.added']);
  });
});
