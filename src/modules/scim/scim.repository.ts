import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { declareConstraintErrors } from '../../common/constraint-errors';
import { sql } from '../../database/sql';
import { ScimErrors } from './scim.errors';

export interface ScimUserRow {
  id: string;
  email: string;
  name: string;
  external_id: string | null;
  given_name: string | null;
  family_name: string | null;
  type: 'admin' | 'member' | null;
  created_at: Date;
  updated_at: Date;
}

export interface ScimGroupRow {
  id: string;
  name: string;
  external_id: string | null;
  members: { value: string; display: string }[];
  created_at: Date;
}

export interface UserLookup {
  userName?: string;
  externalId?: string;
  id?: string;
}

export interface GroupLookup {
  displayName?: string;
  externalId?: string;
  id?: string;
  memberId?: string;
}

/**
 * The users SCIM sees in an organization: its internal users (admins and members), and the users it
 * provisioned that are no longer members (deactivated). Workforce and external users are not the
 * company's people: its identity provider neither lists nor changes them.
 */
const USERS = `
  with seen as (
    select user_id from memberships where organization_id = ?::uuid and type in ('admin', 'member')
    union
    select user_id from scim_users where organization_id = ?::uuid
  )
  select u.id, u.email, u.name, s.external_id, s.given_name, s.family_name, m.type,
         coalesce(s.created_at, m.created_at) as created_at,
         greatest(s.updated_at, m.created_at) as updated_at
    from seen
    join users u on u.id = seen.user_id
    left join memberships m on m.organization_id = ?::uuid and m.user_id = u.id and m.type in ('admin', 'member')
    left join scim_users s on s.organization_id = ?::uuid and s.user_id = u.id
   where (?::text is null or u.email = ?::text)
     and (?::text is null or s.external_id = ?::text)
     and (?::uuid is null or u.id = ?::uuid)`;

const usersParams = (organizationId: string, lookup: UserLookup) => [
  organizationId,
  organizationId,
  organizationId,
  organizationId,
  lookup.userName?.toLowerCase() ?? null,
  lookup.userName?.toLowerCase() ?? null,
  lookup.externalId ?? null,
  lookup.externalId ?? null,
  lookup.id ?? null,
  lookup.id ?? null,
];

const GROUPS = `
  select g.id, g.name, g.created_at, sg.external_id,
         coalesce((select json_agg(json_build_object('value', u.id, 'display', u.email) order by u.email)
                     from group_members gm join users u on u.id = gm.user_id
                    where gm.group_id = g.id), '[]') as members
    from groups g
    left join scim_groups sg on sg.group_id = g.id
   where g.organization_id = ?::uuid
     and (?::text is null or lower(g.name) = lower(?::text))
     and (?::text is null or sg.external_id = ?::text)
     and (?::uuid is null or g.id = ?::uuid)
     and (?::uuid is null or exists (select 1 from group_members gm where gm.group_id = g.id and gm.user_id = ?::uuid))`;

const groupsParams = (organizationId: string, lookup: GroupLookup) => [
  organizationId,
  lookup.displayName ?? null,
  lookup.displayName ?? null,
  lookup.externalId ?? null,
  lookup.externalId ?? null,
  lookup.id ?? null,
  lookup.id ?? null,
  lookup.memberId ?? null,
  lookup.memberId ?? null,
];

/** SCIM's own rows (the provider's ids and name parts) and its reads of an organization's users and groups. */
@Injectable()
export class ScimRepository {
  async users(
    em: EntityManager,
    organizationId: string,
    lookup: UserLookup,
    page: { offset: number; count: number },
  ): Promise<{ total: number; rows: ScimUserRow[] }> {
    const [{ total }] = await sql<{ total: number }>(
      em,
      `select count(*)::int as total from (${USERS}) matched`,
      usersParams(organizationId, lookup),
    );
    const rows =
      page.count === 0
        ? []
        : await sql<ScimUserRow>(em, `${USERS} order by u.email limit ? offset ?`, [
            ...usersParams(organizationId, lookup),
            page.count,
            page.offset,
          ]);
    return { total, rows };
  }

  async user(em: EntityManager, organizationId: string, userId: string): Promise<ScimUserRow | undefined> {
    return (await this.users(em, organizationId, { id: userId }, { offset: 0, count: 1 })).rows[0];
  }

  async groups(
    em: EntityManager,
    organizationId: string,
    lookup: GroupLookup,
    page: { offset: number; count: number },
  ): Promise<{ total: number; rows: ScimGroupRow[] }> {
    const [{ total }] = await sql<{ total: number }>(
      em,
      `select count(*)::int as total from (${GROUPS}) matched`,
      groupsParams(organizationId, lookup),
    );
    const rows =
      page.count === 0
        ? []
        : await sql<ScimGroupRow>(em, `${GROUPS} order by g.name, g.id limit ? offset ?`, [
            ...groupsParams(organizationId, lookup),
            page.count,
            page.offset,
          ]);
    return { total, rows };
  }

  async group(em: EntityManager, organizationId: string, groupId: string): Promise<ScimGroupRow | undefined> {
    return (await this.groups(em, organizationId, { id: groupId }, { offset: 0, count: 1 })).rows[0];
  }

  async saveUser(
    em: EntityManager,
    organizationId: string,
    userId: string,
    attributes: { externalId: string | null; givenName: string | null; familyName: string | null },
  ): Promise<void> {
    await sql(
      em,
      `insert into scim_users (organization_id, user_id, external_id, given_name, family_name)
       values (?::uuid, ?::uuid, ?::text, ?::text, ?::text)
       on conflict (organization_id, user_id) do update
         set external_id = excluded.external_id, given_name = excluded.given_name,
             family_name = excluded.family_name, updated_at = now()`,
      [organizationId, userId, attributes.externalId, attributes.givenName, attributes.familyName],
    );
  }

  async forgetUser(em: EntityManager, organizationId: string, userId: string): Promise<void> {
    await sql(em, 'delete from scim_users where organization_id = ? and user_id = ?', [organizationId, userId]);
  }

  async saveGroup(em: EntityManager, organizationId: string, groupId: string, externalId: string | null): Promise<void> {
    await sql(
      em,
      `insert into scim_groups (organization_id, group_id, external_id) values (?::uuid, ?::uuid, ?::text)
       on conflict (group_id) do update set external_id = excluded.external_id`,
      [organizationId, groupId, externalId],
    );
  }

  /** The one organization where the user is internal (an admin or a member): there is at most one. */
  async internalOrganizationOf(em: EntityManager, userId: string): Promise<string | undefined> {
    const [row] = await sql<{ organization_id: string }>(
      em,
      `select organization_id from memberships where user_id = ? and type in ('admin', 'member')`,
      [userId],
      { name: 'scim-organization' },
    );
    return row?.organization_id;
  }
}

declareConstraintErrors({
  scim_users_org_external_id_unique: ScimErrors.userExists,
  scim_groups_org_external_id_unique: ScimErrors.groupExists,
});
