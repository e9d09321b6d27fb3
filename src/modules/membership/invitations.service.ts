import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { CommonErrors } from '../../common/app-error';
import { PageQuery, Page } from '../../common/pagination';
import { AppConfig } from '../../config/app-config';
import { RequestPolicy } from '../../policy/current-policy.decorator';
import { AuditService } from '../audit/audit.service';
import { OrganizationsRepository } from '../organizations/organizations.repository';
import type { FoundUser } from '../users/users.service';
import { InvitationDto } from './dto/invitation.dto';
import { InvitationMails } from './invitation.mails';
import type { SqlFragment } from '../../policy/sql-filter';
import {
  InvitationMailFacts,
  InvitationsRepository,
  LockedInvitation,
  upsertSql,
} from './invitations.repository';
import { MembershipErrors } from './membership.errors';
import { MembershipRepository } from './membership.repository';
import { OrganizationRights } from './organization-rights';

/** A grant to an invited person: to what, and by whom. */
export interface InvitedGrant {
  /** The organization whose membership the person was given; null for a resource of no organization. */
  organizationId: string | null;
  user: Pick<FoundUser, 'id' | 'email' | 'status'>;
  invitedBy: string;
  /** The resource the invitation is to, when it is not to the organization itself. */
  resource?: { kind: string; title: string; role?: string };
}

/**
 * Invitations people can see. Whoever gives a membership or a right to an `invited` user (no account
 * yet) records it here, in their transaction: the person gets a mail once it commits, and admins see
 * it among the organization's pending invitations until the person signs up. Signing up claims every
 * pending invitation: those still valid are accepted (their grants stay), the expired ones take their
 * membership and rights away.
 */
@Injectable()
export class InvitationsService {
  constructor(
    private readonly em: EntityManager,
    private readonly config: AppConfig,
    private readonly invitations: InvitationsRepository,
    private readonly memberships: MembershipRepository,
    private readonly organizations: OrganizationsRepository,
    private readonly rights: OrganizationRights,
    private readonly audit: AuditService,
    private readonly mails: InvitationMails,
  ) {}

  /** Records (or renews) the invitation of an invited user and mails them after the commit. People with an account get nothing here. */
  async invited(em: EntityManager, grant: InvitedGrant): Promise<void> {
    if (grant.user.status !== 'invited') return;
    if (!grant.organizationId) {
      const inviter = await this.invitations.inviter(em, grant.invitedBy);
      return this.mails.invitation(em, grant.user.email, {
        organizationName: null,
        resource: grant.resource,
        inviter: { name: inviter?.name ?? null, email: inviter?.email ?? null },
        expiresAt: null,
      });
    }
    const facts = await this.invitations.upsert(em, {
      organizationId: grant.organizationId,
      userId: grant.user.id,
      invitedBy: grant.invitedBy,
      ttlSeconds: this.config.INVITATION_TTL,
    });
    this.mailAfterCommit(em, facts, grant.resource);
  }

  /**
   * `invited` as a part of the grant's own statement: the invitation of each (organization_id,
   * user_id) row of `from`, invited users only. The statement returns its mail facts
   * (`MAIL_FACTS_FROM`) for `mailAfterCommit`.
   */
  upsertSql(from: SqlFragment, invitedBy: string): SqlFragment {
    return upsertSql(from, invitedBy, this.config.INVITATION_TTL);
  }

  /** The invitation's mail, once the caller's transaction commits (at once outside one). */
  mailAfterCommit(em: EntityManager, facts: InvitationMailFacts, resource?: InvitedGrant['resource']): void {
    this.mails.invitation(em, facts.email, {
      organizationName: facts.organizationName,
      resource,
      inviter: { name: facts.inviterName, email: facts.inviterEmail },
      expiresAt: facts.expiresAt,
    });
  }

  /**
   * At sign-up (the first password, set in the caller's transaction with the user's row locked):
   * valid invitations are accepted and end; expired ones take away the membership and the rights they
   * granted, except where the person is a resource's only admin (taking it would leave the resource
   * without one: those stay, and are audited as accepted late).
   */
  async claim(em: EntityManager, userId: string): Promise<void> {
    for (const invitation of await this.invitations.lockAllOf(em, userId)) {
      const soleAdminOf = invitation.expired
        ? await this.rights.soleAdminOf(em, invitation.organizationId, userId)
        : [];
      if (invitation.expired && soleAdminOf.length === 0) {
        const type = await this.memberships.typeOf(em, invitation.organizationId, userId, 'for update');
        await this.memberships.delete(em, invitation.organizationId, userId);
        const removed = await this.rights.removeRightsOf(em, invitation.organizationId, userId);
        this.record(em, invitation, userId, 'invitation.expired', { before: { type }, removed });
      } else {
        await this.invitations.delete(em, invitation.id);
        this.record(em, invitation, userId, 'invitation.accepted', {
          ...(invitation.expired ? { late: true, soleAdminOf: soleAdminOf.map((r) => r.id) } : {}),
        });
      }
    }
  }

  list(organizationId: string, query: PageQuery): Promise<Page<InvitationDto>> {
    return this.invitations.page(this.em, organizationId, query);
  }

  /** Mails it again; it holds INVITATION_TTL from now (an expired invitation so comes back). */
  async resend(policy: RequestPolicy, organizationId: string, id: string): Promise<void> {
    await this.em.transactional(async (em) => {
      const invitation = await this.lock(em, organizationId, id);
      const facts = await this.invitations.renew(em, invitation.id, this.config.INVITATION_TTL);
      this.record(em, invitation, policy.ctx.caller.userId, 'invitation.resent', {
        after: { expiresAt: facts.expiresAt.toISOString() },
      });
      this.mails.invitation(em, facts.email, {
        organizationName: facts.organizationName,
        inviter: { name: facts.inviterName, email: facts.inviterEmail },
        expiresAt: facts.expiresAt,
      });
      await em.flush();
    });
  }

  /**
   * Takes back what the invitation gave: the membership and every right held with it, as a removal
   * from the organization would. Refused, changing nothing, when the person is the organization's last
   * admin or a resource's only admin (remove them as a member, naming a replacement).
   */
  async revoke(policy: RequestPolicy, organizationId: string, id: string): Promise<void> {
    await this.em.transactional(async (em) => {
      if (!(await this.organizations.lock(em, organizationId))) throw CommonErrors.notFound('Organization');
      const invitation = await this.lock(em, organizationId, id);
      const { userId } = invitation;
      const type = await this.memberships.typeOf(em, organizationId, userId, 'for update');
      if (type === 'admin' && (await this.memberships.adminCount(em, organizationId)) <= 1)
        throw MembershipErrors.lastAdmin();
      const soleAdminOf = await this.rights.soleAdminOf(em, organizationId, userId);
      if (soleAdminOf.length > 0) throw MembershipErrors.replacementRequired(soleAdminOf);
      await this.memberships.delete(em, organizationId, userId);
      const removed = await this.rights.removeRightsOf(em, organizationId, userId);
      this.record(em, invitation, policy.ctx.caller.userId, 'invitation.revoked', {
        before: { type },
        removed,
      });
      await em.flush();
    });
  }

  private async lock(em: EntityManager, organizationId: string, id: string): Promise<LockedInvitation> {
    const invitation = await this.invitations.lockOne(em, organizationId, id);
    if (!invitation) throw CommonErrors.notFound('Invitation');
    return invitation;
  }

  private record(
    em: EntityManager,
    invitation: LockedInvitation,
    actorId: string,
    action: string,
    data: Record<string, unknown>,
  ): void {
    this.audit.record(em, {
      organizationId: invitation.organizationId,
      actorId,
      action,
      targetType: 'user',
      targetId: invitation.userId,
      data: { invitationId: invitation.id, ...data },
    });
  }
}
