import { futureExpiry } from '../../common/expiry';
import { EntityManager } from '@mikro-orm/postgresql';
import { isUniqueViolation, OnConflict } from '../../database/sql';
import { Injectable } from '@nestjs/common';
import { RequestPolicy } from '../../policy/current-policy.decorator';
import { enforce } from '../../policy/enforce';
import { AuditRecord, AuditService } from '../audit/audit.service';
import { Group } from '../groups/entities/group.entity';
import { MembershipRepository } from '../membership/membership.repository';
import { NewMembershipsService } from '../membership/new-memberships.service';
import { CollaboratorsRepository } from './collaborators.repository';
import {
  AddResourceGroup,
  CollaboratorRole,
  Collaborators,
  InviteCollaborators,
  InviteResult,
  JoinResultDto,
  ResourceGroupRole,
} from './dto/collaborator.dto';
import { Collaborator } from './entities/collaborator.entity';
import { ResourceGroup } from './entities/resource-group.entity';
import { InvitedUser, ResourceInvitations } from './resource-invitations.service';
import { ResourceRef, ResourcesRepository } from './resources.repository';
import { isRoleOf, ResourceKind, ResourceRole } from '../../policy/vocabulary';
import { resourceEvent } from './resource-event';
import { ResourceErrors } from './resources.errors';

/**
 * Who holds which role on a project, dataset or ontology: people (collaborators) and groups, for
 * the three kinds alike. Every write locks the resource's row first, so that checks such as "keeps
 * an admin" see the state they change; the database's deferred trigger is the backstop.
 */
@Injectable()
export class CollaboratorsService {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
    private readonly invitations: ResourceInvitations,
    private readonly resources: ResourcesRepository,
    private readonly collaborators: CollaboratorsRepository,
    private readonly memberships: MembershipRepository,
    private readonly newMemberships: NewMembershipsService,
  ) {}

  list(kind: ResourceKind, id: string): Promise<Collaborators> {
    return this.collaborators.list(this.em, kind, id);
  }

  /**
   * Each email gets the role: unknown emails become invited users, people outside the resource's
   * organization get a workforce or external membership. Someone who already collaborates is given
   * the new role, under the same rules as a role change (team managers never touch admins; the last
   * admin stays).
   */
  async invite(
    policy: RequestPolicy,
    kind: ResourceKind,
    id: string,
    input: InviteCollaborators,
  ): Promise<InviteResult> {
    const role = this.roleOf(kind, input.role);
    enforce(policy.ability, 'invite', 'Collaborator', { role });
    const expiresAt = futureExpiry(input.expiresAt);
    const actorId = policy.ctx.caller.userId;
    // The resource's lock, the people, their memberships, and the new collaborators with their
    // events in one statement.
    const inviteAll = (em: EntityManager, conflicts: OnConflict) =>
      this.invitations.inviteAll(
        em,
        { kind, resourceId: id, emails: input.emails, actorId, role, conflicts },
        (member, conflicts) =>
          this.collaborators.insertMissingSql(
            member,
            { role, expiresAt: expiresAt ?? null },
            (added) =>
              this.audit.insertSql(
                resourceEvent(policy, { id, kind, organization: null }, 'collaborator.added', {
                  before: null,
                  after: { role },
                }),
                added,
                {
                  organizationId: `${added}.organization_id`,
                  moreData: `jsonb_build_object('userId', ${added}.user_id, 'email', ${added}.email)`,
                },
              ),
            conflicts,
          ),
      );
    const answer = (invited: InvitedUser[]): InviteResult => ({
      added: invited.map(({ user, organizationType }) => ({
        userId: user.id,
        email: user.email,
        role,
        organizationType,
      })),
    });
    // Mostly everyone invited is new to the resource: then the statement alone, committing by
    // itself, is the whole invitation (no role to change, so no check that needs the lock held
    // after it). Anyone who already collaborates, or a user or membership a concurrent invitation
    // inserted meanwhile, makes it fail on a unique index and write nothing; the invitation then
    // runs as below.
    try {
      return answer((await inviteAll(this.em, 'refuse')).invited);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    return this.em.transactional(async (em) => {
      // Those who already were one change as a role change would.
      const { resource, invited } = await inviteAll(em, 'skip');
      const collaborating = invited.filter((i) => !i.granted).map((i) => i.user.id);
      const existing =
        collaborating.length > 0
          ? await em.find(Collaborator, { resource: resource.id, user: { $in: collaborating } })
          : [];
      const byUser = new Map(existing.map((c) => [c.user.id, c]));
      const events: AuditRecord[] = [];
      for (const { user } of invited) {
        const current = byUser.get(user.id);
        if (current && expiresAt) events.push(...this.setExpiry(policy, resource, current, expiresAt));
        if (!current || current.role === role) continue;
        enforce(policy.ability, 'changeRole', 'Collaborator', { role, currentRole: current.role });
        await this.assertKeepsAnAdmin(em, resource, current, role);
        events.push(
          resourceEvent(policy, resource, 'collaborator.role_changed', {
            userId: user.id,
            email: user.email,
            before: { role: current.role },
            after: { role },
          }),
        );
        current.role = role;
      }
      await this.audit.recordMany(em, events);
      await em.flush();
      return answer(invited);
    });
  }

  async changeRole(
    policy: RequestPolicy,
    kind: ResourceKind,
    id: string,
    userId: string,
    newRole: string,
    expiry?: string | null,
  ): Promise<CollaboratorRole> {
    const role = this.roleOf(kind, newRole);
    const expiresAt = futureExpiry(expiry);
    await this.em.transactional(async (em) => {
      const resource = await this.resources.lock(em, kind, id);
      const collaborator = await em.findOne(Collaborator, { resource, user: userId });
      if (!collaborator) throw ResourceErrors.collaboratorNotFound();
      enforce(policy.ability, 'changeRole', 'Collaborator', { role, currentRole: collaborator.role });
      if (expiresAt !== undefined)
        for (const event of this.setExpiry(policy, resource, collaborator, expiresAt))
          this.audit.record(em, event);
      if (collaborator.role === role) return void (await em.flush());
      await this.assertKeepsAnAdmin(em, resource, collaborator, role);
      this.audit.record(
        em,
        resourceEvent(policy, resource, 'collaborator.role_changed', {
          userId,
          before: { role: collaborator.role },
          after: { role },
        }),
      );
      collaborator.role = role;
      await em.flush();
    });
    return { userId, role };
  }

  /**
   * A collaborator's new expiry (null: never); the warning mail is owed again for a new time. Returns
   * the audit event of the change (none when the expiry stays), for the caller to record.
   */
  private setExpiry(
    policy: RequestPolicy,
    resource: ResourceRef,
    collaborator: Collaborator,
    expiresAt: Date | null,
  ): AuditRecord[] {
    if ((collaborator.expiresAt?.getTime() ?? null) === (expiresAt?.getTime() ?? null)) return [];
    const event = resourceEvent(policy, resource, 'collaborator.expiry_changed', {
      userId: collaborator.user.id,
      before: { expiresAt: collaborator.expiresAt?.toISOString() ?? null },
      after: { expiresAt: expiresAt?.toISOString() ?? null },
    });
    collaborator.expiresAt = expiresAt;
    collaborator.expiryWarnedAt = null;
    return [event];
  }

  async remove(policy: RequestPolicy, kind: ResourceKind, id: string, userId: string): Promise<void> {
    await this.em.transactional(async (em) => {
      const resource = await this.resources.lock(em, kind, id);
      const collaborator = await em.findOne(Collaborator, { resource, user: userId });
      // Checked before "not found", so that those who may not remove others cannot probe who collaborates.
      enforce(policy.ability, 'delete', 'Collaborator', { role: collaborator?.role ?? null, userId });
      if (!collaborator) throw ResourceErrors.collaboratorNotFound();
      await this.assertKeepsAnAdmin(em, resource, collaborator, null);
      this.audit.record(
        em,
        resourceEvent(policy, resource, 'collaborator.removed', {
          userId,
          before: { role: collaborator.role },
        }),
      );
      em.remove(collaborator);
      await em.flush();
    });
  }

  /** Every member of the group holds the role; a group already there gets the new role. */
  async addGroup(
    policy: RequestPolicy,
    kind: ResourceKind,
    id: string,
    input: AddResourceGroup,
  ): Promise<ResourceGroupRole> {
    const role = this.roleOf(kind, input.role);
    return this.em.transactional(async (em) => {
      const resource = await this.resources.lock(em, kind, id);
      const organizationId = resource.organization?.id;
      // Unknown groups and other organizations' groups get the same answer: no probing across tenants.
      const group = organizationId
        ? await em.findOne(Group, { id: input.groupId, organization: organizationId })
        : null;
      if (!group || !organizationId) throw ResourceErrors.groupOfOtherOrg();
      const current = await em.findOne(ResourceGroup, { resource, group });
      if (current?.role !== role) {
        this.audit.record(
          em,
          resourceEvent(policy, resource, current ? 'resource_group.role_changed' : 'resource_group.added', {
            groupId: group.id,
            before: current ? { role: current.role } : null,
            after: { role },
          }),
        );
        if (current) current.role = role;
        else em.create(ResourceGroup, { resource, group, role, organization: organizationId });
        await em.flush();
      }
      return { groupId: group.id, name: group.name, role };
    });
  }

  /** Its members lose the role at once (unless they hold it otherwise). */
  async removeGroup(policy: RequestPolicy, kind: ResourceKind, id: string, groupId: string): Promise<void> {
    await this.em.transactional(async (em) => {
      const resource = await this.resources.lock(em, kind, id);
      const current = await em.findOne(ResourceGroup, { resource, group: groupId });
      if (!current) throw ResourceErrors.groupNotOnResource();
      this.audit.record(
        em,
        resourceEvent(policy, resource, 'resource_group.removed', {
          groupId,
          before: { role: current.role },
        }),
      );
      em.remove(current);
      await em.flush();
    });
  }

  /** An organization admin (or a platform admin) becomes admin of one of the organization's resources. */
  async join(
    policy: RequestPolicy,
    organizationId: string,
    kind: ResourceKind,
    id: string,
  ): Promise<JoinResultDto> {
    const actorId = policy.ctx.caller.userId;
    await this.em.transactional(async (em) => {
      const resource = await this.resources.lock(em, kind, id, organizationId);
      enforce(policy.ability, 'join', 'Resource', { organizationId });
      // Rights in an organization need a membership there: a platform admin who is not a user of it
      // becomes one (as a resource invitation would make them); an organization admin's membership is
      // locked against a removal running now, and one removed meanwhile finds nothing to join.
      const membership = policy.ctx.caller.isPlatformAdmin
        ? await this.newMemberships.joinByInvitation(em, organizationId, actorId, actorId, {
            targetType: kind,
            targetId: id,
          })
        : await this.memberships.lockType(em, organizationId, actorId);
      if (!membership) throw ResourceErrors.notFound(kind);
      const current = await em.findOne(Collaborator, { resource, user: actorId });
      if (current?.role === 'admin') return;
      this.audit.record(
        em,
        resourceEvent(policy, resource, 'collaborator.joined', {
          userId: actorId,
          before: current ? { role: current.role } : null,
          after: { role: 'admin' },
        }),
      );
      if (current) current.role = 'admin';
      else em.create(Collaborator, { resource, user: actorId, role: 'admin', organization: organizationId });
      await em.flush();
    });
    return { role: 'admin' };
  }

  private roleOf(kind: ResourceKind, role: string): ResourceRole {
    if (!isRoleOf(kind, role)) throw ResourceErrors.roleOfOtherKind(kind);
    return role;
  }

  /**
   * Only direct admins count: a group's role can be taken away by people who do not manage the
   * resource (group admins), which would leave it without one. Called with the resource row locked.
   */
  private async assertKeepsAnAdmin(
    em: EntityManager,
    resource: ResourceRef,
    collaborator: Collaborator,
    newRole: ResourceRole | null,
  ): Promise<void> {
    if (collaborator.role !== 'admin' || newRole === 'admin') return;
    const others = await em.count(Collaborator, {
      resource: resource.id,
      role: 'admin',
      user: { $ne: collaborator.user.id },
    });
    if (others === 0) throw ResourceErrors.lastAdmin();
  }
}
