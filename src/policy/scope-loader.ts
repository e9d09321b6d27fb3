import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { sql } from '../database/sql';
import type { MembershipType } from './vocabulary';
import { ResourceKind, ResourceRole, ROLES_BY_KIND } from './vocabulary';
import { PolicyContext, TokenSubject } from './policy-context';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);

/** The strongest of the roles a user holds on a resource (directly and through groups). */
function strongestRole(kind: ResourceKind, roles: readonly string[]): ResourceRole | null {
  return ROLES_BY_KIND[kind].find((role) => roles.includes(role)) ?? null;
}

/**
 * The roles a user holds on a resource, directly and through their groups: a statement of one `role`
 * column, given the SQL of the resource's id and the user's id (columns of the outer query, or `?`).
 */
export const rolesOnResourceSql = (resourceId: string, userId: string): string =>
  `select c.role from collaborators c where c.resource_id = ${resourceId} and c.user_id = ${userId}
   union all
   select rg.role from resource_groups rg
     join group_members gm on gm.group_id = rg.group_id
    where rg.resource_id = ${resourceId} and gm.user_id = ${userId}`;

/**
 * Loads what the rules need, in one round trip per request: the caller, and the organization or the
 * resource the request is about with the caller's relation to it. Undefined means the caller's
 * account no longer exists, or its password changed after the token was issued.
 */
@Injectable()
export class ScopeLoader {
  constructor(private readonly em: EntityManager) {}

  async forCaller({ userId, credentialVersion }: TokenSubject): Promise<PolicyContext | undefined> {
    const [row] = await sql<{ is_platform_admin: boolean }>(
      this.em,
      'select is_platform_admin from users where id = ? and credential_version = ?',
      [userId, credentialVersion],
      { name: 'scope-caller' },
    );
    return row
      ? { caller: { userId, credentialVersion, isPlatformAdmin: row.is_platform_admin } }
      : undefined;
  }

  async forOrganization(
    { userId, credentialVersion }: TokenSubject,
    organizationId: string,
  ): Promise<PolicyContext | undefined> {
    const [row] = await sql<{
      is_platform_admin: boolean;
      organization_id: string | null;
      is_workforce: boolean | null;
      type: MembershipType | null;
    }>(
      this.em,
      `select u.is_platform_admin, o.id as organization_id, o.is_workforce, m.type
         from users u
         left join organizations o on o.id = ?::uuid
         left join memberships m on m.organization_id = o.id and m.user_id = u.id
        where u.id = ? and u.credential_version = ?`,
      [organizationId, userId, credentialVersion],
      { name: 'scope-organization' },
    );
    if (!row) return undefined;
    return {
      caller: { userId, credentialVersion, isPlatformAdmin: row.is_platform_admin },
      organization: row.organization_id
        ? { id: row.organization_id, isWorkforce: row.is_workforce ?? false, membershipType: row.type }
        : undefined,
    };
  }

  async forResource(
    { userId, credentialVersion }: TokenSubject,
    kind: ResourceKind,
    resourceId: string,
  ): Promise<PolicyContext | undefined> {
    const [row] = await sql<{
      is_platform_admin: boolean;
      resource_id: string | null;
      organization_id: string | null;
      is_workforce: boolean | null;
      type: MembershipType | null;
      roles: string[] | null;
    }>(
      this.em,
      `select u.is_platform_admin, r.id as resource_id, r.organization_id, o.is_workforce, m.type,
              array(${rolesOnResourceSql('r.id', 'u.id')}) as roles
         from users u
         left join resources r on r.id = ?::uuid and r.kind = ?::text
         left join organizations o on o.id = r.organization_id
         left join memberships m on m.organization_id = o.id and m.user_id = u.id
        where u.id = ? and u.credential_version = ?`,
      [resourceId, kind, userId, credentialVersion],
      { name: 'scope-resource' },
    );
    if (!row) return undefined;
    const ctx: PolicyContext = {
      caller: { userId, credentialVersion, isPlatformAdmin: row.is_platform_admin },
    };
    if (!row.resource_id) return ctx;
    ctx.resource = {
      id: row.resource_id,
      kind,
      organizationId: row.organization_id,
      role: strongestRole(kind, row.roles ?? []),
    };
    if (row.organization_id) {
      ctx.organization = {
        id: row.organization_id,
        isWorkforce: row.is_workforce ?? false,
        membershipType: row.type,
      };
    }
    return ctx;
  }
}
