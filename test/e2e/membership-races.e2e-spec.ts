import { createMember, createOrganization, TestOrganization } from '../factories/organizations.factory';
import { createGroup } from '../factories/groups.factory';
import { insertResource } from '../factories/resources.factory';
import { TestApp } from '../support/test-app';

/**
 * Rights in an organization's resources without a membership in it: what a removal racing a grant
 * used to leave behind. Each row is an orphan.
 */
const ORPHANS_SQL = `
  select 'collaborator' as kind, c.user_id, c.resource_id as target_id from collaborators c
   where c.organization_id is not null
     and not exists (select 1 from memberships m where m.organization_id = c.organization_id and m.user_id = c.user_id)
  union all
  select 'group_member', gm.user_id, gm.group_id from group_members gm
   where not exists (select 1 from memberships m where m.organization_id = gm.organization_id and m.user_id = gm.user_id)
  union all
  select 'notification_recipient', nr.user_id, nr.notification_id from notification_recipients nr
    join notifications n on n.id = nr.notification_id
   where n.organization_id is not null
     and not exists (select 1 from memberships m where m.organization_id = n.organization_id and m.user_id = nr.user_id)`;

describe('Removal racing grants', () => {
  let t: TestApp;
  let org: TestOrganization;
  beforeAll(async () => {
    t = await TestApp.start();
    org = await createOrganization(t);
  });
  afterAll(() => t.close());

  it('40 rounds of a removal racing invitations, a group addition and a project creation by the removed user leave no orphan and no 500', async () => {
    const statuses: number[] = [];
    const userIds: string[] = [];
    for (let round = 0; round < 40; round++) {
      const user = await createMember(t, org.id, 'member');
      userIds.push(user.id);
      const project = await insertResource(t, {
        kind: 'project',
        ownerId: org.admin.id,
        organizationId: org.id,
      });
      const group = await createGroup(t, org.id);
      const answers = await Promise.all([
        t.delete(
          `/organizations/${org.id}/members/${user.id}?replacementUserId=${org.admin.id}`,
          org.admin.token,
        ),
        t.post(
          `/projects/${project.id}/collaborators`,
          { emails: [user.email], role: 'annotator' },
          org.admin.token,
        ),
        t.post(`/projects/${project.id}/notifications`, notificationFor(user.email), org.admin.token),
        t.post(
          `/organizations/${org.id}/groups/${group.id}/members`,
          { userIds: [user.id] },
          org.admin.token,
        ),
        t.post('/projects', { title: `Round ${round}` }, user.token),
      ]);
      statuses.push(...answers.map((answer) => answer.status));
    }
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
    expect(await t.sql(`select * from (${ORPHANS_SQL}) orphan where user_id in (?)`, [userIds])).toEqual([]);
  });

  it('the database refuses a collaborator, group member or notification recipient with no membership in the organization', async () => {
    const outsider = await createMember(t, (await createOrganization(t)).id, 'member');
    const project = await insertResource(t, {
      kind: 'project',
      ownerId: org.admin.id,
      organizationId: org.id,
    });
    const [group] = await t.sql<{ id: string }>(
      `insert into groups (id, organization_id, name, created_at) values (gen_random_uuid(), ?, 'Bypass', now()) returning id`,
      [org.id],
    );
    const [notification] = await t.sql<{ id: string }>(
      `insert into notifications (id, project_id, organization_id, name, events, created_at)
       values (gen_random_uuid(), ?, ?, 'Bypass', '{task.submitted}', now()) returning id`,
      [project.id, org.id],
    );
    await expect(
      t.sql(
        `insert into collaborators (id, resource_id, user_id, role, organization_id, created_at)
         values (gen_random_uuid(), ?, ?, 'annotator', ?, now())`,
        [project.id, outsider.id, org.id],
      ),
    ).rejects.toThrow(/NOT_ORG_MEMBER/);
    await expect(
      t.sql(
        `insert into group_members (id, group_id, user_id, organization_id, created_at)
         values (gen_random_uuid(), ?, ?, ?, now())`,
        [group.id, outsider.id, org.id],
      ),
    ).rejects.toThrow(/NOT_ORG_MEMBER/);
    await expect(
      t.sql(
        `insert into notification_recipients (id, notification_id, user_id, organization_id, created_at)
         values (gen_random_uuid(), ?, ?, ?, now())`,
        [notification.id, outsider.id, org.id],
      ),
    ).rejects.toThrow(/NOT_ORG_MEMBER/);
  });
});

const notificationFor = (email: string) => ({
  name: 'Submitted',
  events: ['task.submitted'],
  recipientEmails: [email],
});
