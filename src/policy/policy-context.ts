import type { MembershipType } from './vocabulary';
import type { ResourceKind, ResourceRole } from './vocabulary';
import type { SqlFragment } from './sql-filter';

/**
 * What a bearer credential claims before the database confirms it: how to find its caller, as a
 * statement of at most one row with the user's `id` and `is_platform_admin`. The policy guard
 * embeds it in its one scope query, so a key revoked or a password changed a moment ago is refused
 * on the next request without a second round trip.
 */
export interface Credential {
  /** Names the statement's shape: each scheme and scope is one named prepared statement. */
  scheme: string;
  callerSql: string;
  params: readonly unknown[];
  /**
   * Called once the scope query has confirmed the caller, for bookkeeping that must not delay the
   * request (an API key's last use): it must return at once.
   */
  confirmed?: () => void;
}

/** A user the database has already confirmed, named again (the second resource of a request, a check for someone). */
export const confirmedUser = (userId: string): Credential => ({
  scheme: 'user',
  callerSql: 'select id, is_platform_admin from users where id = ?::uuid',
  params: [userId],
});

/**
 * Columns of the resource (`r`) that a route reads, given by the feature that owns them, for the
 * guard to load in its scope statement: the route then needs no statement of its own. Named, because
 * each shape of the scope statement is one named prepared statement; the names must not collide with
 * the scope's own columns (`id`, `is_platform_admin`, `resource_id`, `organization_id`,
 * `is_workforce`, `type`, `roles`).
 */
export interface ScopeColumns {
  name: string;
  sql: string;
}

/**
 * A route's own statement (its page), for the policy guard to run inside its organization scope
 * statement, so that the route needs no round trip of its own. It writes the route's whole answer:
 * one row, its `answer` column the JSON text to send (`JsonAnswer`, `KeysetCursor.answerSql`).
 */
export interface ScopeStatement {
  sql: string;
  params: unknown[];
}

/**
 * What a route's statement may name of the scope statement it runs in: the caller, and the rows the
 * caller's rules let them act on. The rules differ by the caller's relation to the organization (an
 * admin lists all its projects, a member theirs), so the guard writes the route's statement once per
 * filter its rules give and runs the one of the caller's relation.
 */
export interface InScope {
  /** The caller's id, as SQL of the scope statement. */
  callerId: SqlFragment;
  /** What `accessibleSql` gives for the route's requirement, over the scope's `fields`, for this relation. */
  allowed: SqlFragment;
}

/**
 * The route's statement for a request, from its raw input (the guard runs before the route's
 * validation), to write for each filter of the rules; undefined when the input does not make one
 * (the route then validates and answers it itself).
 */
export type ScopeStatementOf = (request: {
  params: Record<string, string>;
  query: unknown;
}) => Promise<((scope: InScope) => ScopeStatement) | undefined>;

export interface Caller {
  userId: string;
  isPlatformAdmin: boolean;
  /** How the caller came in (`session`, an API key, an identity provider). */
  scheme: string;
}

/** Everything the rules may look at, loaded once per request by the policy guard. */
export interface PolicyContext {
  caller: Caller;
  /** The organization the request is about, when it is about one. */
  organization?: { id: string; isWorkforce: boolean; membershipType: MembershipType | null };
  /** The resource the request is about, with the caller's effective role on it. */
  resource?: { id: string; kind: ResourceKind; organizationId: string | null; role: ResourceRole | null };
}

export const isInternal = (type: MembershipType | null | undefined) => type === 'admin' || type === 'member';
