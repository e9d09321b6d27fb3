import { EntityManager } from '@mikro-orm/postgresql';
import { MyMembershipDto } from '../auth/dto/auth-responses.dto';
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
