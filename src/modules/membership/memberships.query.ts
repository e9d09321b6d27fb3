import { EntityManager } from '@mikro-orm/postgresql';
import { MyMembershipDto } from '../auth/dto/auth-responses.dto';
import { execSql } from '../../database/exec-sql';
import { MembershipType } from '../../policy/vocabulary';

/** A user's memberships with their organizations, for /me and the verification answer. */
export async function membershipsOf(em: EntityManager, userId: string): Promise<MyMembershipDto[]> {
  const rows = await em
    .getConnection()
    .execute<{ id: string; name: string; is_workforce: boolean; type: MembershipType }[]>(
      `select o.id, o.name, o.is_workforce, m.type
       from memberships m join organizations o on o.id = m.organization_id
      where m.user_id = ? order by o.name, o.id`,
      [userId],
      'all',
      em.getTransactionContext(),
    );
  return rows.map((row) => ({
    organization: { id: row.id, name: row.name, isWorkforce: row.is_workforce },
    type: row.type,
  }));
}

/**
 * The rule for being `workforce` in an organization: internal in a workforce organization other than
 * it. Parameters: the user id, then the organization id.
 */
export const WORKFORCE_ELIGIBILITY_SQL = `select 1 from memberships i join organizations w on w.id = i.organization_id
  where i.user_id = ? and i.type in ('admin', 'member') and w.is_workforce and w.id <> ?`;

/**
 * The user's type in the organization, their membership row locked `for key share` (the lock the
 * rights_need_membership trigger takes) until the transaction ends; null when they have none. Every
 * grant of a right in an organization reads the membership this way: a removal holds the row
 * `for update`, so a grant that locked it first commits before the removal runs (which then takes
 * the new right away), and a grant that comes second waits and finds the membership gone.
 */
export async function lockMembershipType(
  em: EntityManager,
  organizationId: string,
  userId: string,
): Promise<MembershipType | null> {
  const [row] = await execSql<{ type: MembershipType }>(
    em,
    `select type from memberships where organization_id = ? and user_id = ? for key share`,
    [organizationId, userId],
  );
  return row?.type ?? null;
}

/** The organization where the user is internal, locked as `lockMembershipType` does; null when none. */
export async function lockInternalOrganization(em: EntityManager, userId: string): Promise<string | null> {
  const [row] = await execSql<{ organization_id: string }>(
    em,
    `select organization_id from memberships where user_id = ? and type in ('admin', 'member') for key share`,
    [userId],
  );
  return row?.organization_id ?? null;
}
