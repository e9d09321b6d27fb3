import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import type { MembershipType } from '../../policy/vocabulary';
import { User } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import { WORKFORCE_ELIGIBILITY_SQL } from '../membership/memberships.query';

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

  private async typeInOrganization(
    em: EntityManager,
    organizationId: string,
    userId: string,
    actorId: string,
    via: { targetType: string; targetId: string },
  ): Promise<MembershipType> {
    const connection = em.getConnection();
    // A concurrent invitation may insert the membership first: then `on conflict` leaves it as it is.
    const [created] = await connection.execute<{ type: MembershipType }[]>(
      `insert into memberships (id, organization_id, user_id, type, created_at)
       select gen_random_uuid(), ?, ?,
              case when exists (${WORKFORCE_ELIGIBILITY_SQL}) then 'workforce' else 'external' end,
              clock_timestamp()
        where not exists (select 1 from memberships m where m.organization_id = ? and m.user_id = ?)
       on conflict (organization_id, user_id) do nothing
       returning type`,
      [organizationId, userId, userId, organizationId, organizationId, userId],
      'all',
      em.getTransactionContext(),
    );
    if (created) {
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
    const [existing] = await connection.execute<{ type: MembershipType }[]>(
      'select type from memberships where organization_id = ? and user_id = ?',
      [organizationId, userId],
      'all',
      em.getTransactionContext(),
    );
    return existing.type;
  }
}
