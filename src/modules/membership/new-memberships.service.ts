import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { MembershipType } from '../../policy/vocabulary';
import { AuditService } from '../audit/audit.service';
import { OrganizationsRepository } from '../organizations/organizations.repository';
import { User } from '../users/entities/user.entity';
import { emailDomain, FoundUser } from '../users/users.service';
import { InvitationsService, InvitedGrant } from './invitations.service';
import { InvitationMailFactsRow, toMailFacts } from './invitations.repository';
import { MembershipErrors } from './membership.errors';
import {
  InvitationMembershipParts,
  MembershipRepository,
  membershipsForInvitationSql,
} from './membership.repository';
import type { OnConflict } from '../../database/sql';
import type { SqlFragment } from '../../policy/sql-filter';

/**
 * The ways other features give a user a membership, each with its own rule: the email's domain at
 * verification, an invitation to a resource, the platform's first admins of a new organization.
 * (Admins adding users is MembershipService's.)
 */
@Injectable()
export class NewMembershipsService {
  constructor(
    private readonly memberships: MembershipRepository,
    private readonly organizations: OrganizationsRepository,
    private readonly audit: AuditService,
    private readonly invitations: InvitationsService,
  ) {}

  /**
   * On email verification: when the email's domain belongs to an organization and the user is
   * internal nowhere, they become its member (a workforce or external membership there is upgraded).
   */
  async joinByDomain(em: EntityManager, user: User): Promise<void> {
    const joined = await this.memberships.joinByDomain(em, emailDomain(user.email), user.id);
    if (!joined) return;
    this.audit.record(em, {
      organizationId: joined.organizationId,
      actorId: user.id,
      action: 'membership.joined_by_domain',
      targetType: 'user',
      targetId: user.id,
      data: { type: 'member', previousType: joined.upgradedFrom },
    });
  }

  /**
   * The user's type in the organization, giving them a `workforce` or `external` membership
   * (audited) when they have none, in one statement. The membership row stays locked until the
   * transaction ends, so that a removal running at the same time waits for the grant (then takes it
   * away) or finishes first (then the user joins anew, as an invitation after the removal would make
   * them). People invited by email join through `invitationMembershipsSql`, in the invitation's statement.
   */
  async joinByInvitation(
    em: EntityManager,
    organizationId: string,
    userId: string,
    actorId: string,
    via: { targetType: string; targetId: string },
  ): Promise<MembershipType> {
    const {
      types: [{ current, created }],
    } = await this.memberships.lockOrInsertForInvitation(
      em,
      organizationId,
      [userId],
      [],
      this.invitationParts(actorId, via),
    );
    const type = current ?? created ?? (await this.memberships.lockType(em, organizationId, userId));
    if (!type) throw MembershipErrors.notOrgMember();
    return type;
  }

  /**
   * The memberships given for an invitation by `actorId` through `via`, as CTEs of the caller's
   * statement over its CTE `given` (organization_id, user_id, invited): see `membershipsForInvitationSql`.
   */
  invitationMembershipsSql(
    actorId: string,
    via: { targetType: string; targetId: string },
    conflicts: OnConflict = 'skip',
  ): (given: string) => SqlFragment {
    return (given) => membershipsForInvitationSql(given, this.invitationParts(actorId, via), conflicts);
  }

  /** The invitation mails of what the statement returned, sent after the commit. */
  mailInvitations(
    em: EntityManager,
    invitations: readonly InvitationMailFactsRow[],
    resource?: InvitedGrant['resource'],
  ): void {
    for (const facts of invitations) this.invitations.mailAfterCommit(em, toMailFacts(facts), resource);
  }

  /** Each membership created by an invitation is audited; each invited user's invitation is created or renewed. */
  private invitationParts(
    actorId: string,
    via: { targetType: string; targetId: string },
  ): InvitationMembershipParts {
    return {
      audit: (created) =>
        this.audit.insertSql(
          {
            organizationId: null,
            actorId,
            action: 'membership.added_by_invitation',
            targetType: 'user',
            data: { via },
          },
          created,
          {
            organizationId: `${created}.organization_id`,
            targetId: `${created}.user_id`,
            moreData: `jsonb_build_object('after', jsonb_build_object('type', ${created}.type))`,
          },
        ),
      invitation: (invited) => this.invitations.upsertSql({ sql: invited, params: [] }, actorId),
    };
  }

  /** A service account's one membership, in the organization it was created in (its type there: admin or member). */
  async addServiceAccount(
    em: EntityManager,
    organizationId: string,
    userId: string,
    type: MembershipType,
  ): Promise<void> {
    await this.memberships.insert(em, organizationId, userId, type);
  }

  /** A first admin of an organization being created: internal nowhere else, not another organization's domain. */
  async addFirstAdmin(
    em: EntityManager,
    organizationId: string,
    user: FoundUser,
    actorId: string,
  ): Promise<void> {
    if (await this.memberships.isInternalElsewhere(em, user.id, organizationId))
      throw MembershipErrors.alreadyInternalElsewhere(user.email);
    if (await this.organizations.isDomainOfOtherOrganization(em, user.email, organizationId))
      throw MembershipErrors.domainOfOtherOrganization(user.email);
    await this.memberships.insert(em, organizationId, user.id, 'admin');
    await this.invitations.invited(em, { organizationId, user, invitedBy: actorId });
  }
}
