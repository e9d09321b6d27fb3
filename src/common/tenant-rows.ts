import { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../database/sql';

/**
 * Deletes the rows of a tenant table that name the user in the organization, by the table's
 * (organization_id, user_id) index; how many went. For the owners of rights tables, each on its own
 * table, when a user leaves the organization. `table` is a constant of the caller, never input.
 */
export async function deleteRowsOfUser(
  em: EntityManager,
  table: 'collaborators' | 'group_members' | 'notification_recipients',
  organizationId: string,
  userId: string,
): Promise<number> {
  const rows = await sql(em, `delete from ${table} where organization_id = ? and user_id = ? returning id`, [
    organizationId,
    userId,
  ]);
  return rows.length;
}
