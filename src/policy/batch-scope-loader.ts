import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { sql } from '../database/sql';
import { Caller, Credential, PolicyContext } from './policy-context';
import { inForceSql, rolesOnResourceSql, strongestRole } from './scope-loader';
import type { MembershipType, ResourceKind } from './vocabulary';

/** Something a question is about: an organization, or a resource of a kind. */
export interface ScopeTarget {
  type: 'organization' | ResourceKind;
  id: string;
}

/** What the rules see for the subject on one target, and what the check API adds to it. */
export interface TargetScope {
  /** The subject as caller, with the target's organization and resource when they exist. */
  ctx: PolicyContext;
  /** Whether the subject holds a role on the resource directly (what leaving it removes), not only through groups. */
  hasDirectRole: boolean;
  /** The asking caller's own type in the target's organization: a question about someone else needs `admin` there. */
  callerMembershipType: MembershipType | null;
}

export interface BatchScope {
  /** Who asks, as the credential's statement found them. */
  caller: Caller;
  /** Whom the questions are about (the caller unless another user is named); undefined for an unknown user. */
  subject?: Caller;
  /** Whether the subject has a membership in an organization the caller administers. */
  subjectInCallersOrganization: boolean;
  /** One per target, in the order asked. */
  targets: TargetScope[];
}

interface BatchRow {
  id: string;
  is_platform_admin: boolean;
  subject_id: string | null;
  subject_is_platform_admin: boolean | null;
  subject_in_callers_organization: boolean;
  n: string | null;
  resource_id: string | null;
  organization_id: string | null;
  is_workforce: boolean | null;
  type: MembershipType | null;
  caller_type: MembershipType | null;
  roles: string[] | null;
  direct_role: boolean;
}

/**
 * The scopes of many targets at once, for the check API: the caller (by the credential's own
 * statement, as the policy guard finds them), the subject the questions are about, and for each
 * target the same relations `ScopeLoader` loads for one (organization, membership type, effective
 * role through `rolesOnResourceSql`), in one statement whatever the number of targets.
 */
@Injectable()
export class BatchScopeLoader {
  constructor(private readonly em: EntityManager) {}

  /** Undefined when the credential names no one any more (as `ScopeLoader`). */
  async forTargets(
    credential: Credential,
    subjectUserId: string | undefined,
    targets: readonly ScopeTarget[],
  ): Promise<BatchScope | undefined> {
    const rows = await sql<BatchRow>(
      this.em,
      `with u as (${credential.callerSql}),
       s as (select id, is_platform_admin from users where id = coalesce(?::uuid, (select id from u))),
       q as (select * from unnest(?::text[], ?::uuid[]) with ordinality as q(type, id, n))
       select u.id, u.is_platform_admin, s.id as subject_id, s.is_platform_admin as subject_is_platform_admin,
              exists(select 1 from memberships ca
                       join memberships sm on sm.organization_id = ca.organization_id and sm.user_id = s.id
                                         and ${inForceSql('sm')}
                      where ca.user_id = u.id and ca.type = 'admin') as subject_in_callers_organization,
              q.n, r.id as resource_id, o.id as organization_id, o.is_workforce, m.type, cm.type as caller_type,
              array(${rolesOnResourceSql('r.id', 's.id')}) as roles,
              exists(select 1 from collaborators c where c.resource_id = r.id and c.user_id = s.id
                       and ${inForceSql('c')}) as direct_role
         from u
         left join s on true
         left join q on true
         left join resources r on q.type <> 'organization' and r.id = q.id and r.kind = q.type
         left join organizations o on o.id = case when q.type = 'organization' then q.id else r.organization_id end
         left join memberships m on m.organization_id = o.id and m.user_id = s.id and ${inForceSql('m')}
         left join memberships cm on cm.organization_id = o.id and cm.user_id = u.id and ${inForceSql('cm')}
        order by q.n`,
      [
        ...credential.params,
        subjectUserId ?? null,
        targets.map((target) => target.type),
        targets.map((target) => target.id),
      ],
      { name: `scope-batch:${credential.scheme}` },
    );
    const [first] = rows;
    if (!first) return undefined;
    const caller: Caller = {
      userId: first.id,
      isPlatformAdmin: first.is_platform_admin,
      scheme: credential.scheme,
    };
    const subject: Caller | undefined = first.subject_id
      ? first.subject_id === caller.userId
        ? caller
        : {
            userId: first.subject_id,
            isPlatformAdmin: first.subject_is_platform_admin ?? false,
            scheme: 'user',
          }
      : undefined;
    return {
      caller,
      subject,
      subjectInCallersOrganization: first.subject_in_callers_organization,
      targets: rows
        .filter((row) => row.n !== null)
        .map((row, index) => targetScope(row, targets[index], subject ?? caller)),
    };
  }
}

function targetScope(row: BatchRow, target: ScopeTarget, subject: Caller): TargetScope {
  const ctx: PolicyContext = { caller: subject };
  if (row.organization_id) {
    ctx.organization = {
      id: row.organization_id,
      isWorkforce: row.is_workforce ?? false,
      membershipType: row.type,
    };
  }
  if (row.resource_id && target.type !== 'organization') {
    ctx.resource = {
      id: row.resource_id,
      kind: target.type,
      organizationId: row.organization_id,
      role: strongestRole(target.type, row.roles ?? []),
    };
  }
  return { ctx, hasDirectRole: row.direct_role, callerMembershipType: row.caller_type };
}
