import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { JsonAnswer } from '../common/json-answer';
import { sql } from '../database/sql';
import type { MembershipType } from './vocabulary';
import { ResourceKind, ResourceRole, ROLES_BY_KIND } from './vocabulary';
import { Credential, PolicyContext, ScopeColumns, ScopeStatement } from './policy-context';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);

/** The strongest of the roles a user holds on a resource (directly and through groups). */
export function strongestRole(kind: ResourceKind, roles: readonly string[]): ResourceRole | null {
  return ROLES_BY_KIND[kind].find((role) => roles.includes(role)) ?? null;
}

/**
 * A grant still in force: no expiry, or one still ahead. Written on the column itself, so that the
 * plan keeps its index on the row's key and the partial index on `expires_at` serves the sweeper.
 */
export const inForceSql = (alias: string): string =>
  `(${alias}.expires_at is null or ${alias}.expires_at > now())`;

/**
 * No expired membership of the user in the organization: rights in an organization hang on the
 * membership (the *_need_membership triggers), so an expired one takes them with it until the sweeper
 * deletes them all.
 */
export const membershipNotExpiredSql = (organizationId: string, userId: string): string =>
  `not exists (select 1 from memberships xm
                where xm.organization_id = ${organizationId} and xm.user_id = ${userId} and xm.expires_at <= now())`;

/**
 * The roles a user holds on a resource, directly and through their groups: a statement of one `role`
 * column, given the SQL of the resource's id and the user's id (columns of the outer query, or `?`).
 * Expired grants, and grants of a user whose membership expired, count as absent.
 */
export const rolesOnResourceSql = (resourceId: string, userId: string): string =>
  `select c.role from collaborators c where c.resource_id = ${resourceId} and c.user_id = ${userId}
      and ${inForceSql('c')} and ${membershipNotExpiredSql('c.organization_id', 'c.user_id')}
   union all
   select rg.role from resource_groups rg
     join group_members gm on gm.group_id = rg.group_id
    where rg.resource_id = ${resourceId} and gm.user_id = ${userId}
      and ${membershipNotExpiredSql('gm.organization_id', 'gm.user_id')}`;

/**
 * Loads what the rules need, in one round trip per request: the caller (found by the credential's own
 * statement), and the organization or the resource the request is about with the caller's relation to
 * it. Undefined means the credential names no one any more: the account is gone, its password changed
 * after the token was issued, the key was revoked.
 */
@Injectable()
export class ScopeLoader {
  constructor(private readonly em: EntityManager) {}

  async forCaller(credential: Credential): Promise<PolicyContext | undefined> {
    const [row] = await sql<CallerRow>(this.em, credential.callerSql, credential.params, {
      name: `scope-caller:${credential.scheme}`,
    });
    return row ? { caller: caller(row, credential) } : undefined;
  }

  async forOrganization(credential: Credential, organizationId: string): Promise<PolicyContext | undefined> {
    return (await this.forOrganizationLoading(credential, organizationId))?.ctx;
  }

  /**
   * The organization's scope, and with `load` the route's answer in the same statement: the answer
   * of the first branch whose `when` (SQL over the scope's `u`, `o`, `m`) holds for the caller
   * (`loadedAnswer`); undefined when no branch holds.
   */
  async forOrganizationLoading(
    credential: Credential,
    organizationId: string,
    load?: readonly { when: string; statement: ScopeStatement }[],
  ): Promise<{ ctx: PolicyContext; loadedAnswer?: JsonAnswer<unknown> } | undefined> {
    const [row] = await sql<
      CallerRow & {
        organization_id: string | null;
        is_workforce: boolean | null;
        type: MembershipType | null;
        loaded?: string | null;
      }
    >(
      this.em,
      `with u as (${credential.callerSql})
       select u.id, u.is_platform_admin, o.id as organization_id, o.is_workforce, m.type${
         load
           ? `,
              case ${load
                .map(
                  ({ when, statement }) => `when ${when} then (select p.answer from (${statement.sql}) p)`,
                )
                .join('\n                   ')}
              end as loaded`
           : ''
       }
         from u
         left join organizations o on o.id = ?::uuid
         left join memberships m on m.organization_id = o.id and m.user_id = u.id and ${inForceSql('m')}`,
      [...credential.params, ...(load ?? []).flatMap(({ statement }) => statement.params), organizationId],
      // A loading statement's text varies with the route's input: it is named after its text.
      load ? {} : { name: `scope-organization:${credential.scheme}` },
    );
    if (!row) return undefined;
    const ctx: PolicyContext = {
      caller: caller(row, credential),
      organization: row.organization_id
        ? { id: row.organization_id, isWorkforce: row.is_workforce ?? false, membershipType: row.type }
        : undefined,
    };
    return row.loaded != null ? { ctx, loadedAnswer: JsonAnswer.ofText(row.loaded) } : { ctx };
  }

  async forResource(
    credential: Credential,
    kind: ResourceKind,
    resourceId: string,
  ): Promise<PolicyContext | undefined> {
    return (await this.forResourceLoading(credential, kind, resourceId))?.ctx;
  }

  /**
   * The resource's scope, and with `load` the columns a route reads of the resource, in the same
   * statement: `loaded` is the statement's row (the route's columns among the scope's).
   */
  async forResourceLoading(
    credential: Credential,
    kind: ResourceKind,
    resourceId: string,
    load?: ScopeColumns,
  ): Promise<{ ctx: PolicyContext; loaded?: Record<string, unknown> } | undefined> {
    const [row] = await sql<
      CallerRow & {
        resource_id: string | null;
        organization_id: string | null;
        is_workforce: boolean | null;
        type: MembershipType | null;
        roles: string[] | null;
      } & Record<string, unknown>
    >(
      this.em,
      `with u as (${credential.callerSql})
       select u.id, u.is_platform_admin, r.id as resource_id, r.organization_id, o.is_workforce, m.type,
              array(${rolesOnResourceSql('r.id', 'u.id')}) as roles${load ? `, ${load.sql}` : ''}
         from u
         left join resources r on r.id = ?::uuid and r.kind = ?::text
         left join organizations o on o.id = r.organization_id
         left join memberships m on m.organization_id = o.id and m.user_id = u.id and ${inForceSql('m')}`,
      [...credential.params, resourceId, kind],
      { name: `scope-resource:${credential.scheme}${load ? `:${load.name}` : ''}` },
    );
    if (!row) return undefined;
    const ctx: PolicyContext = { caller: caller(row, credential) };
    if (!row.resource_id) return { ctx };
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
    return load ? { ctx, loaded: row } : { ctx };
  }
}

interface CallerRow {
  id: string;
  is_platform_admin: boolean;
}

const caller = (row: CallerRow, credential: Credential) => ({
  userId: row.id,
  isPlatformAdmin: row.is_platform_admin,
  scheme: credential.scheme,
});
