import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { OnConflict } from '../../database/sql';
import type { SqlFragment } from '../../policy/sql-filter';
import type { MembershipType, ResourceKind } from '../../policy/vocabulary';
import { FoundUser, normalizedEmails } from '../users/users.service';
import { toFoundUser } from '../users/users.repository';
import { InvitationsService } from '../membership/invitations.service';
import { InvitationMailFactsRow } from '../membership/invitations.repository';
import { MembershipErrors } from '../membership/membership.errors';
import { NewMembershipsService } from '../membership/new-memberships.service';
import { InviteeRow, ResourceInvitationsRepository } from './resource-invitations.repository';
import { ResourceErrors } from './resources.errors';
import type { ResourceRef } from './resources.repository';

export interface InvitedUser {
  user: FoundUser;
  /** Their type in the organization afterwards; null when there is no organization. */
  organizationType: MembershipType | null;
  /** Whether the caller's grant gave them something (false: they had it already). */
  granted: boolean;
}

/**
 * A statement part run on the CTE `member` that defines the CTE `granted` (user_id), its inserts
 * meeting other transactions' rows as `conflicts` says; see `inviteAll`.
 */
export type ResourceGrantSql = (member: string, conflicts: OnConflict) => SqlFragment;

/** No grant: people are only invited (the caller records what they are given). */
const NO_GRANT: ResourceGrantSql = () => ({
  sql: 'granted as (select null::uuid as user_id where false)',
  params: [],
});

/**
 * People given access to a resource by email (collaborators, notification recipients): unknown
 * emails become invited users, and people with no membership in the resource's organization get
 * one, `workforce` when they are internal in another workforce organization, `external` otherwise.
 * Inviting never fails for people from outside the organization.
 */
@Injectable()
export class ResourceInvitations {
  constructor(
    private readonly repository: ResourceInvitationsRepository,
    private readonly newMemberships: NewMembershipsService,
    private readonly invitations: InvitationsService,
  ) {}

  /**
   * The resource (its row locked until the transaction ends; 404 when it is not there) and its
   * invited people, each with what `grant` gave them, in one statement. A user or a membership a
   * concurrent invitation inserted meanwhile is not seen by that statement: it runs once more for
   * those emails, and its new snapshot sees them. Invitation mails go out after the commit.
   *
   * With `conflicts: 'refuse'` a row another transaction has (such a user or membership, or one the
   * grant would insert) fails the statement instead, which then writes nothing (`isUniqueViolation`):
   * a statement that commits alone is then either the whole invitation or nothing.
   */
  async inviteAll(
    em: EntityManager,
    input: {
      kind: ResourceKind;
      resourceId: string;
      emails: readonly string[];
      actorId: string;
      /** What the invitation mail names besides the resource. */
      role?: string;
      conflicts?: OnConflict;
    },
    grant: ResourceGrantSql = NO_GRANT,
  ): Promise<{ resource: ResourceRef; invited: InvitedUser[] }> {
    const { kind, resourceId, actorId, conflicts = 'skip' } = input;
    const parts = {
      memberships: this.newMemberships.invitationMembershipsSql(
        actorId,
        { targetType: kind, targetId: resourceId },
        conflicts,
      ),
      grant: (member: string) => grant(member, conflicts),
    };
    const emails = normalizedEmails(input.emails);
    const rows = await this.repository.invite(em, { kind, resourceId, emails }, parts, conflicts);
    if (rows.length === 0) throw ResourceErrors.notFound(kind);
    const raced = rows.filter((row) => !isInvited(row)).map((row) => row.email);
    const again =
      raced.length > 0 ? await this.repository.invite(em, { kind, resourceId, emails: raced }, parts, conflicts) : [];
    if (!again.every(isInvited)) throw MembershipErrors.notOrgMember();
    const byEmail = new Map([...rows, ...again].filter(isInvited).map((row) => [row.email, row]));
    const [{ title, organization_id: organizationId }] = rows;
    const resource: ResourceRef = { id: resourceId, kind, title, organization: organizationId ? { id: organizationId } : null };
    const invited = emails.map((email) => {
      const row = byEmail.get(email)!;
      return { user: toFoundUser(row.invitee!), organizationType: row.organization_type, granted: row.granted };
    });
    const about = { kind, title, role: input.role };
    if (organizationId) this.newMemberships.mailInvitations(em, invitationsOf([rows, again]), about);
    else
      for (const { user } of invited)
        await this.invitations.invited(em, { organizationId: null, user, invitedBy: actorId, resource: about });
    return { resource, invited };
  }
}

/** The email's user was found or inserted, and has a membership when the resource has an organization. */
const isInvited = (row: InviteeRow) =>
  row.invitee !== null && (row.organization_id === null || row.organization_type !== null);

/** Each invitation once: one that a second run renewed is mailed as renewed. */
const invitationsOf = (runs: InviteeRow[][]): InvitationMailFactsRow[] => [
  ...new Map(runs.flatMap((run) => run[0]?.invitations ?? []).map((facts) => [facts.id, facts])).values(),
];
