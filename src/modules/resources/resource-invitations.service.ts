import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { MembershipType } from '../../policy/vocabulary';
import { FoundUser, UsersService } from '../users/users.service';
import { InvitationsService } from '../membership/invitations.service';
import { NewMembershipsService } from '../membership/new-memberships.service';

export interface InvitedUser {
  user: FoundUser;
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
    private readonly newMemberships: NewMembershipsService,
    private readonly invitations: InvitationsService,
  ) {}

  async inviteAll(
    em: EntityManager,
    input: {
      organizationId: string | null;
      emails: readonly string[];
      actorId: string;
      via: { targetType: string; targetId: string };
      /** What the invitation mail of people without an account names. */
      about: { kind: string; title: string; role?: string };
    },
  ): Promise<InvitedUser[]> {
    const users = await this.users.findOrInviteMany(em, input.emails);
    const invitedUsers = users.filter((user) => user.status === 'invited');
    if (!input.organizationId) {
      for (const user of invitedUsers)
        await this.invitations.invited(em, {
          organizationId: null,
          user,
          invitedBy: input.actorId,
          resource: input.about,
        });
      return users.map((user) => ({ user, organizationType: null }));
    }
    const types = await this.newMemberships.joinAllByInvitation(em, {
      organizationId: input.organizationId,
      userIds: users.map((user) => user.id),
      invitedUserIds: invitedUsers.map((user) => user.id),
      actorId: input.actorId,
      via: input.via,
      resource: input.about,
    });
    const invited = users.map((user) => ({ user, organizationType: types.get(user.id)! }));
    return invited;
  }
}
