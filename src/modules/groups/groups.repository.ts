import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { deleteRowsOfUser } from '../../common/tenant-rows';
import { CursorElements, keysetCursor, Page } from '../../common/pagination';
import { isoTime } from '../../common/sql';
import { sql } from '../../database/sql';
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

export interface GroupState {
  name: string;
  description: string;
}

/** The SQL of groups and their members (group_members): the only writer of both. */
@Injectable()
export class GroupsRepository {
  /** Groups by name (case-insensitive), the order of groups_org_name_unique, keyset-paginated. */
  async page(
    em: EntityManager,
    organizationId: string,
    query: { limit: number; cursor?: string },
  ): Promise<Page<GroupDto>> {
    const after = GROUPS_CURSOR.decode(query.cursor);
    const params: unknown[] = [organizationId];
    let keyset = '';
    if (after) {
      keyset = 'and (lower(g.name), g.id) > (?::text, ?::uuid)';
      params.push(after[0], after[1]);
    }
    const rows = await sql<GroupRow>(
      em,
      `${SELECT_GROUP} where g.organization_id = ? ${keyset} order by lower(g.name), g.id limit ?`,
      [...params, query.limit + 1],
    );
    return GROUPS_CURSOR.page(rows, query.limit, (row) => [row.sort_name, row.id], toDto);
  }

  /** One group of the organization with its members; undefined for a group of any other organization. */
  async findDetail(
    em: EntityManager,
    organizationId: string,
    groupId: string,
  ): Promise<GroupDetailDto | undefined> {
    const [row] = await sql<GroupRow>(em, `${SELECT_GROUP} where g.organization_id = ? and g.id = ?`, [
      organizationId,
      groupId,
    ]);
    if (!row) return undefined;
    const members = await sql<{ user_id: string; email: string; name: string }>(
      em,
      `select u.id as user_id, u.email, u.name
         from group_members gm join users u on u.id = gm.user_id
        where gm.group_id = ? and gm.organization_id = ?
        order by lower(u.name), u.email`,
      [groupId, organizationId],
    );
    return {
      ...toDto(row),
      members: members.map((m) => ({ userId: m.user_id, email: m.email, name: m.name })),
    };
  }

  async insert(em: EntityManager, organizationId: string, state: GroupState): Promise<string> {
    const [{ id }] = await sql<{ id: string }>(
      em,
      `insert into groups (id, organization_id, name, description, created_at)
       values (gen_random_uuid(), ?, ?, ?, now()) returning id`,
      [organizationId, state.name, state.description],
    );
    return id;
  }

  async update(em: EntityManager, organizationId: string, groupId: string, state: GroupState): Promise<void> {
    await sql(em, `update groups set name = ?, description = ? where id = ? and organization_id = ?`, [
      state.name,
      state.description,
      groupId,
      organizationId,
    ]);
  }

  /** The deleted group as it was, with its members; undefined when it is no group of this organization. */
  async delete(
    em: EntityManager,
    organizationId: string,
    groupId: string,
  ): Promise<(GroupState & { member_ids: string[] }) | undefined> {
    const [deleted] = await sql<GroupState & { member_ids: string[] }>(
      em,
      `delete from groups g where g.id = ? and g.organization_id = ?
       returning g.name, g.description,
                 array(select gm.user_id from group_members gm where gm.group_id = g.id) as member_ids`,
      [groupId, organizationId],
    );
    return deleted;
  }

  /** The group's current state, its row locked; undefined unless it is a group of this organization. */
  async lock(
    em: EntityManager,
    organizationId: string,
    groupId: string,
    mode: 'update' | 'share',
  ): Promise<GroupState | undefined> {
    const [group] = await sql<GroupState>(
      em,
      `select name, description from groups where id = ? and organization_id = ? for ${mode === 'update' ? 'update' : 'share'}`,
      [groupId, organizationId],
    );
    return group;
  }

  /** Adds the users to the group; those already in it are left as they are. Returns the ids added now. */
  async addMembers(
    em: EntityManager,
    organizationId: string,
    groupId: string,
    userIds: readonly string[],
  ): Promise<string[]> {
    const inserted = await sql<{ user_id: string }>(
      em,
      `insert into group_members (id, group_id, user_id, organization_id, created_at)
       select gen_random_uuid(), ?::uuid, u, ?::uuid, now() from unnest(?::uuid[]) as u
       on conflict (group_id, user_id) do nothing
       returning user_id`,
      [groupId, organizationId, userIds],
    );
    return inserted.map((row) => row.user_id);
  }

  async memberIds(em: EntityManager, organizationId: string, groupId: string): Promise<string[]> {
    const rows = await sql<{ user_id: string }>(
      em,
      'select user_id from group_members where group_id = ? and organization_id = ?',
      [groupId, organizationId],
    );
    return rows.map((row) => row.user_id);
  }

  async removeMember(
    em: EntityManager,
    organizationId: string,
    groupId: string,
    userId: string,
  ): Promise<boolean> {
    const removed = await sql(
      em,
      `delete from group_members where group_id = ? and organization_id = ? and user_id = ? returning id`,
      [groupId, organizationId, userId],
    );
    return removed.length > 0;
  }

  /** Takes the user out of every group of the organization; how many places went. */
  removeFromAll(em: EntityManager, organizationId: string, userId: string): Promise<number> {
    return deleteRowsOfUser(em, 'group_members', organizationId, userId);
  }
}
