import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import type { MembershipType } from '../../policy/vocabulary';
import { User } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import { MembershipErrors } from '../membership/membership.errors';
import { lockMembershipType, WORKFORCE_ELIGIBILITY_SQL } from '../membership/memberships.query';
import { execSql } from '../../database/exec-sql';

export interface InvitedUser {
  user: User;
  /** Their type in the organization afterwards; null when there is no organization. */
  organizationType: MembershipType | null;
}

/**
 * People given access to a resource by email (collaborators, notification recipients): unknown
 * emails become invited users, and people with no membership in the resource's organization get
 * one, `workforce` when they are internal in another workforce organization, `external` otherwise.
 * Inviting never fails for people from outside the organization.
 */
@Injectable()
export class ResourceInvitations {
  constructor(
    private readonly users: UsersService,
    private readonly audit: AuditService,
  ) {}

  async inviteAll(
    em: EntityManager,
    input: {
      organizationId: string | null;
      emails: readonly string[];
      actorId: string;
      via: { targetType: string; targetId: string };
    },
  ): Promise<InvitedUser[]> {
    const invited: InvitedUser[] = [];
    for (const user of await this.users.findOrInviteMany(em, input.emails)) {
      const organizationType = input.organizationId
        ? await this.typeInOrganization(em, input.organizationId, user.id, input.actorId, input.via)
        : null;
      invited.push({ user, organizationType });
    }
    return invited;
  }

  /**
   * The user's type in the organization, giving them a `workforce` or `external` membership when
   * they have none. The membership row stays locked until the transaction ends, so that a removal
   * running at the same time waits for the grant (then takes it away) or finishes first (then the
   * user joins anew, as an invitation after the removal would make them).
   */
  async typeInOrganization(
    em: EntityManager,
    organizationId: string,
    userId: string,
    actorId: string,
    via: { targetType: string; targetId: string },
  ): Promise<MembershipType> {
    const current = await lockMembershipType(em, organizationId, userId);
    if (current) return current;
    // A concurrent invitation may insert the membership first: then `on conflict` leaves it as it is.
    const [created] = await execSql<{ type: MembershipType }>(
      em,
      `insert into memberships (id, organization_id, user_id, type, created_at)
       select gen_random_uuid(), ?, ?,
              case when exists (${WORKFORCE_ELIGIBILITY_SQL}) then 'workforce' else 'external' end,
              clock_timestamp()
       on conflict (organization_id, user_id) do nothing
       returning type`,
      [organizationId, userId, userId, organizationId],
    );
    if (!created) {
      const raced = await lockMembershipType(em, organizationId, userId);
      if (!raced) throw MembershipErrors.notOrgMember();
      return raced;
    }
    this.audit.record(em, {
      organizationId,
      actorId,
      action: 'membership.added_by_invitation',
      targetType: 'user',
      targetId: userId,
      data: { after: { type: created.type }, via },
    });
    return created.type;
  }
}
