import { EntityManager } from '@mikro-orm/postgresql';
import { isoTime } from '../../common/sql';
import { CursorElements, keysetCursor, Page } from '../../common/pagination';
import { GroupDetailDto, GroupDto } from './dto/group.dto';

interface GroupRow {
  id: string;
  name: string;
  description: string;
  member_count: number | string;
  created_at: Date | string;
  /** The sort key, lowercased by the database as its index does. */
  sort_name: string;
}

const toDto = (row: GroupRow): GroupDto => ({
  id: row.id,
  name: row.name,
  description: row.description,
  memberCount: Number(row.member_count),
  createdAt: isoTime(row.created_at),
});

const SELECT_GROUP = `select g.id, g.name, g.description, g.created_at, lower(g.name) as sort_name,
  (select count(*) from group_members gm where gm.group_id = g.id) as member_count
  from groups g`;

/** Groups by (lowercased name, id). */
const GROUPS_CURSOR = keysetCursor(CursorElements.text, CursorElements.uuid);

/** Groups by name (case-insensitive), the order of groups_org_name_unique, keyset-paginated. */
export async function pageGroups(
  em: EntityManager,
  organizationId: string,
  query: { limit: number; cursor?: string },
): Promise<Page<GroupDto>> {
  const after = GROUPS_CURSOR.decode(query.cursor);
  const params: unknown[] = [organizationId];
  let keyset = '';
  if (after) {
    keyset = 'and (lower(g.name), g.id) > (?, ?::uuid)';
    params.push(after[0], after[1]);
  }
  const rows = await em
    .getConnection()
    .execute<GroupRow[]>(
      `${SELECT_GROUP} where g.organization_id = ? ${keyset} order by lower(g.name), g.id limit ?`,
      [...params, query.limit + 1],
    );
  return GROUPS_CURSOR.page(rows, query.limit, (row) => [row.sort_name, row.id], toDto);
}

/** One group of the organization with its members; undefined for a group of any other organization. */
export async function findGroupDetail(
  em: EntityManager,
  organizationId: string,
  groupId: string,
): Promise<GroupDetailDto | undefined> {
  const connection = em.getConnection();
  const [row] = await connection.execute<GroupRow[]>(
    `${SELECT_GROUP} where g.organization_id = ? and g.id = ?`,
    [organizationId, groupId],
    'all',
    em.getTransactionContext(),
  );
  if (!row) return undefined;
  const members = await connection.execute<{ user_id: string; email: string; name: string }[]>(
    `select u.id as user_id, u.email, u.name
       from group_members gm join users u on u.id = gm.user_id
      where gm.group_id = ? and gm.organization_id = ?
      order by lower(u.name), u.email`,
    [groupId, organizationId],
    'all',
    em.getTransactionContext(),
  );
  return {
    ...toDto(row),
    members: members.map((m) => ({ userId: m.user_id, email: m.email, name: m.name })),
  };
}
