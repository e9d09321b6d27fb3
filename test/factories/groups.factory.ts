import { randomBytes } from 'node:crypto';
import { TestApp } from '../support/test-app';

export interface TestGroup {
  id: string;
  name: string;
}

/** A group of the organization with these members, written straight to the database. */
export async function createGroup(
  t: TestApp,
  organizationId: string,
  options: { name?: string; memberIds?: string[] } = {},
): Promise<TestGroup> {
  const name = options.name ?? `Group ${randomBytes(4).toString('hex')}`;
  const [group] = await t.sql<{ id: string }>(
    `insert into groups (id, organization_id, name, description, created_at)
     values (gen_random_uuid(), ?, ?, '', now()) returning id`,
    [organizationId, name],
  );
  for (const userId of options.memberIds ?? []) {
    await t.sql(
      `insert into group_members (id, group_id, user_id, organization_id, created_at)
       values (gen_random_uuid(), ?, ?, ?, now())`,
      [group.id, userId, organizationId],
    );
  }
  return { id: group.id, name };
}
