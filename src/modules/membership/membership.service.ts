import { futureExpiry } from '../../common/expiry';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AppError, CommonErrors } from '../../common/app-error';
import { InTransaction } from '../../database/in-transaction';
import { JsonAnswer } from '../../common/json-answer';
import { Page } from '../../common/pagination';
import { isoTime } from '../../common/sql';
import { RequestPolicy } from '../../policy/current-policy.decorator';
import { asSubject, enforce } from '../../policy/enforce';
import { isInternal } from '../../policy/policy-context';
import { MembershipType } from '../../policy/vocabulary';
import { AuditService } from '../audit/audit.service';
import { OrganizationsRepository } from '../organizations/organizations.repository';
import { toFoundUser } from '../users/users.repository';
import { emailDomain, normalizeEmail } from '../users/users.service';
import { AddMemberDto, ChangeMemberTypeDto, ListMembersQuery } from './dto/member-requests.dto';
import { MemberDto, RemovalPreviewDto } from './dto/member.dto';
import { MembershipErrors } from './membership.errors';
import { AddRefusal, MembershipRepository, pageQueryOf } from './membership.repository';
import { toMailFacts } from './invitations.repository';
import { InvitationsService } from './invitations.service';
import { OrganizationRights } from './organization-rights';

/** The refusals `MembershipRepository.add` finds, as the errors the checks of each rule give. */
const ADD_REFUSALS: Record<AddRefusal, (email: string) => AppError> = {
  DOMAIN_OF_OTHER_ORGANIZATION: (email) => MembershipErrors.domainOfOtherOrganization(email),
  ALREADY_MEMBER: () => MembershipErrors.alreadyMember(),
  ALREADY_INTERNAL_ELSEWHERE: (email) => MembershipErrors.alreadyInternalElsewhere(normalizeEmail(email)),
  NOT_WORKFORCE_ELIGIBLE: () => MembershipErrors.notWorkforceEligible(),
};

/** The rules on user types of "Rules on types" (domain.md), each one checked here and held by the database. */
@Injectable()
export class MembershipService {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
    private readonly memberships: MembershipRepository,
    private readonly organizations: OrganizationsRepository,
    private readonly rights: OrganizationRights,
    private readonly invitations: InvitationsService,
  ) {}

  /** The page, as the policy guard loaded it with the scope when it did (`memberPageInScope`). */
  list(
    organizationId: string,
    query: ListMembersQuery,
    policy: RequestPolicy,
  ): Promise<JsonAnswer<Page<MemberDto>>> {
    return this.memberships.page(this.em, organizationId, pageQueryOf(query), policy.loadedAnswer);
  }

  /**
   * Adds a user by email (an unknown email becomes an invited user) in one statement: in autocommit,
   * or with `alsoInTransaction` in one transaction with it. Concurrent adds of one email are settled
   * by memberships_org_user_unique; internal-in-two-organizations by memberships_one_internal_org:
   * the losers get the same 409 the checks give. An add that waited on a concurrent insert of the
   * email's user cannot see that user: it runs once more, and then finds them. A domain given to
   * another organization while this runs is not waited for: the outcome is the one of this add
   * committing first, which a domain added later leaves in place too.
   */
  async add(
    policy: RequestPolicy,
    organizationId: string,
    input: AddMemberDto,
    alsoInTransaction?: InTransaction,
  ): Promise<MemberDto> {
    enforce(policy.ability, 'create', 'Member', { type: input.type });
    const expiresAt = futureExpiry(input.expiresAt);
    if (expiresAt && isInternal(input.type)) throw MembershipErrors.internalNeverExpires();
    const email = normalizeEmail(input.email);
    const actorId = policy.ctx.caller.userId;
    const write = async (em: EntityManager): Promise<MemberDto> => {
      const member = {
        organizationId,
        email,
        domain: emailDomain(email),
        type: input.type,
        expiresAt: expiresAt ?? null,
      };
      const parts = {
        invitation: (added: string) => this.invitations.upsertSql({ sql: added, params: [] }, actorId),
        audit: (added: string) =>
          this.audit.insertSql(
            {
              organizationId,
              actorId,
              action: 'membership.added',
              targetType: 'user',
              data: { type: input.type, ...(expiresAt ? { expiresAt: expiresAt.toISOString() } : {}) },
            },
            added,
            {
              targetId: `${added}.user_id`,
              moreData: `jsonb_build_object('email', ${added}.email, 'status', ${added}.status)`,
            },
          ),
      };
      let row = await this.memberships.add(em, member, parts);
      if (!row.refusal && !row.member) row = await this.memberships.add(em, member, parts);
      if (row.refusal) throw ADD_REFUSALS[row.refusal](input.email);
      // Its user was inserted by a concurrent statement both times: another add of this email adds them.
      if (!row.member || !row.created_at) throw MembershipErrors.alreadyMember();
      const user = toFoundUser(row.member);
      if (row.invitation) this.invitations.mailAfterCommit(em, toMailFacts(row.invitation));
      await alsoInTransaction?.(em, user.id);
      // The member as the rows just written say, rather than read again.
      return {
        userId: user.id,
        email: user.email,
        name: user.name,
        type: input.type,
        status: user.status,
        isServiceAccount: user.isServiceAccount,
        joinedAt: isoTime(row.created_at),
        expiresAt: row.expires_at ? isoTime(row.expires_at) : null,
      };
    };
    if (!alsoInTransaction) return write(this.em);
    return this.em.transactional(async (em) => {
      const member = await write(em);
      await em.flush();
      return member;
    });
  }

  /**
   * Promotes a member to admin or demotes an admin to member. The organization's row lock makes
   * concurrent demotions count admins one after the other; the deferred trigger
   * memberships_keep_an_admin refuses at commit whatever slipped past.
   */
  async changeType(
    policy: RequestPolicy,
    organizationId: string,
    userId: string,
    input: ChangeMemberTypeDto,
    alsoInTransaction?: InTransaction,
  ): Promise<MemberDto> {
    await this.em.transactional(async (em) => {
      if (!(await this.organizations.lock(em, organizationId))) throw CommonErrors.notFound('Organization');
      const current = await this.membershipType(em, organizationId, userId);
      enforce(policy.ability, 'update', 'Member', { type: current });
      if (input.type === undefined)
        return this.changeExpiry(em, policy, organizationId, userId, current, input);
      if (input.expiresAt) throw MembershipErrors.internalNeverExpires();
      // Workforce and external users are not employees: they become internal only by being added
      // as such (after leaving), never by a type change here.
      if (!isInternal(current)) throw MembershipErrors.notInternal();
      if (current === input.type) {
        await alsoInTransaction?.(em, userId);
        return;
      }
      // A member of this organization is internal here, so the one-internal-organization index already
      // guarantees they are internal nowhere else: promotion needs no further check.
      if (current === 'admin' && (await this.memberships.adminCount(em, organizationId)) <= 1)
        throw MembershipErrors.lastAdmin();
      await this.memberships.setType(em, organizationId, userId, input.type);
      this.audit.record(em, {
        organizationId,
        actorId: policy.ctx.caller.userId,
        action: input.type === 'admin' ? 'membership.promoted' : 'membership.demoted',
        targetType: 'user',
        targetId: userId,
        data: { before: { type: current }, after: { type: input.type } },
      });
      await alsoInTransaction?.(em, userId);
      await em.flush();
    });
    return this.get(organizationId, userId);
  }

  /**
   * Removes guests whose membership expired, with everything they held in the organization, as an
   * admin's removal would; audited with no actor. One who is still the only admin of resources stays
   * (nobody to hand them to without a person's choice): the policy already treats them as absent, and
   * the organization's admins can join those resources. Returns how many were removed.
   */
  async expireDue(limit = 100): Promise<number> {
    return this.em.fork().transactional(async (em) => {
      let removed = 0;
      for (const due of await this.memberships.dueToExpire(em, limit)) {
        const { organization_id: organizationId, user_id: userId } = due;
        if ((await this.rights.soleAdminOf(em, organizationId, userId)).length > 0) continue;
        await this.memberships.delete(em, organizationId, userId);
        const rights = await this.rights.removeRightsOf(em, organizationId, userId);
        this.audit.record(em, {
          organizationId,
          actorId: null,
          action: 'membership.expired',
          targetType: 'user',
          targetId: userId,
          data: { type: due.type, expiresAt: new Date(due.expires_at).toISOString(), removed: rights },
        });
        removed++;
      }
      await em.flush();
      return removed;
    });
  }

  /** A guest's new expiry (null: never), audited; internal users never expire. */
  private async changeExpiry(
    em: EntityManager,
    policy: RequestPolicy,
    organizationId: string,
    userId: string,
    current: MembershipType,
    input: ChangeMemberTypeDto,
  ): Promise<void> {
    if (input.expiresAt === undefined)
      throw CommonErrors.validation('Give a type or an expiry', [
        { path: 'type', message: 'type or expiresAt is required' },
      ]);
    const expiresAt = futureExpiry(input.expiresAt) ?? null;
    if (isInternal(current)) throw MembershipErrors.internalNeverExpires();
    await this.memberships.setExpiry(em, organizationId, userId, expiresAt);
    this.audit.record(em, {
      organizationId,
      actorId: policy.ctx.caller.userId,
      action: 'membership.expiry_changed',
      targetType: 'user',
      targetId: userId,
      data: { after: { expiresAt: expiresAt?.toISOString() ?? null } },
    });
    await em.flush();
  }

  /** What removing the user would need: the resources they alone administer. Changes nothing. */
  async removalPreview(organizationId: string, userId: string): Promise<RemovalPreviewDto> {
    const em = this.em.fork();
    await this.membershipType(em, organizationId, userId, { lock: false });
    return { soleAdminOf: await this.rights.soleAdminOf(em, organizationId, userId) };
  }

  /**
   * Removes the user from the organization with everything they held in it, in one transaction:
   * hand-over of their sole-admin resources to the replacement, collaborator roles, group places,
   * notification subscriptions, the membership.
   */
  async remove(
    policy: RequestPolicy,
    organizationId: string,
    userId: string,
    replacementUserId: string | undefined,
    alsoInTransaction?: InTransaction,
  ): Promise<void> {
    await this.em.transactional(async (em) => {
      const type = await this.lockForRemoval(em, organizationId, userId);
      // Organization admins are refused an admin (demote first); platform admins may remove one.
      if (policy.ability.cannot('delete', asSubject('Member', { type })))
        throw type === 'admin' ? MembershipErrors.adminNotRemovable() : CommonErrors.forbidden();
      await this.removeLocked(em, policy.ctx.caller.userId, organizationId, userId, type, replacementUserId);
      await alsoInTransaction?.(em, userId);
      await em.flush();
    });
  }

  /**
   * The same removal, in the caller's transaction, for a feature that owns the account and has
   * authorized the removal itself (deleting a service account): the last-admin rule, the hand-over of
   * sole-admin resources and the audit are the member removal's.
   */
  async removeInTransaction(
    em: EntityManager,
    actorId: string,
    organizationId: string,
    userId: string,
    replacementUserId: string | undefined,
  ): Promise<void> {
    const type = await this.lockForRemoval(em, organizationId, userId);
    await this.removeLocked(em, actorId, organizationId, userId, type, replacementUserId);
  }

  /**
   * Locks the organization, then the membership (`for update`): grants of rights to this user (which
   * key-share-lock the membership) either committed before, and are taken away, or wait and then find
   * the user gone.
   */
  private async lockForRemoval(
    em: EntityManager,
    organizationId: string,
    userId: string,
  ): Promise<MembershipType> {
    if (!(await this.organizations.lock(em, organizationId))) throw CommonErrors.notFound('Organization');
    return this.membershipType(em, organizationId, userId);
  }

  private async removeLocked(
    em: EntityManager,
    actorId: string,
    organizationId: string,
    userId: string,
    type: MembershipType,
    replacementUserId: string | undefined,
  ): Promise<void> {
    if (type === 'admin' && (await this.memberships.adminCount(em, organizationId)) <= 1)
      throw MembershipErrors.lastAdmin();
    if (
      replacementUserId !== undefined &&
      (replacementUserId === userId ||
        !(await this.isLockedInternalUser(em, organizationId, replacementUserId)))
    )
      throw MembershipErrors.invalidReplacement();
    const soleAdminOf = await this.rights.soleAdminOf(em, organizationId, userId);
    if (soleAdminOf.length > 0 && replacementUserId === undefined)
      throw MembershipErrors.replacementRequired(soleAdminOf);
    const handedOver = replacementUserId
      ? await this.rights.handOver(em, soleAdminOf, replacementUserId)
      : [];
    await this.memberships.delete(em, organizationId, userId);
    const removed = await this.rights.removeRightsOf(em, organizationId, userId);
    const previousRoles = new Map(handedOver.map((h) => [h.resourceId, h.previousRole]));
    await this.audit.recordMany(
      em,
      soleAdminOf.map((resource) => ({
        organizationId,
        actorId,
        action: 'collaborator.admin_handed_over',
        targetType: resource.resourceType,
        targetId: resource.id,
        data: {
          fromUserId: userId,
          toUserId: replacementUserId,
          previousRole: previousRoles.get(resource.id) ?? null,
        },
      })),
    );
    this.audit.record(em, {
      organizationId,
      actorId,
      action: 'membership.removed',
      targetType: 'user',
      targetId: userId,
      data: {
        before: { type },
        replacementUserId: replacementUserId ?? null,
        handedOver: soleAdminOf.map((r) => r.id),
        removed,
      },
    });
  }

  private async get(organizationId: string, userId: string): Promise<MemberDto> {
    const member = await this.memberships.findMember(this.em.fork(), organizationId, userId);
    if (!member) throw MembershipErrors.memberNotFound();
    return member;
  }

  /** The user's type in the organization; 404 when they have none, whatever organization they are in. */
  private async membershipType(
    em: EntityManager,
    organizationId: string,
    userId: string,
    options = { lock: true },
  ): Promise<MembershipType> {
    const type = await this.memberships.typeOf(em, organizationId, userId, options.lock ? 'for update' : '');
    if (!type) throw MembershipErrors.memberNotFound();
    return type;
  }

  /** Whether the user can take over: an internal user (admin or member) of the organization. */
  private async isLockedInternalUser(
    em: EntityManager,
    organizationId: string,
    userId: string,
  ): Promise<boolean> {
    // Locked so that the replacement cannot leave the organization before this transaction commits.
    return isInternal(await this.memberships.typeOf(em, organizationId, userId, 'for share'));
  }
}
