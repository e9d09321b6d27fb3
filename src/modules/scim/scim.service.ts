import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { CommonErrors } from '../../common/app-error';
import { RequestPolicy } from '../../policy/current-policy.decorator';
import { AbilityFactory } from '../../policy/ability.factory';
import { Caller, confirmedUser } from '../../policy/policy-context';
import { isUuid, ScopeLoader } from '../../policy/scope-loader';
import { GroupsService } from '../groups/groups.service';
import { MembershipService } from '../membership/membership.service';
import { API_KEY_SCHEME } from '../service-accounts/api-key.authenticator';
import { UsersService } from '../users/users.service';
import { parseScimFilter, filterValue } from './scim-filter';
import {
  groupFromResource,
  patchGroup,
  patchOperations,
  patchUser,
  ScimGroupState,
  ScimUserState,
  userFromResource,
} from './scim-resources';
import { ScimErrors } from './scim.errors';
import { ScimGroupRow, ScimRepository, ScimUserRow } from './scim.repository';


/** The organization a SCIM client provisions, and its service account's powers there. */
export interface ScimScope {
  organizationId: string;
  policy: RequestPolicy;
}

export interface ScimPage<Row> {
  total: number;
  startIndex: number;
  rows: Row[];
}

const USER_FILTERS = ['username', 'externalid', 'id', 'emails.value', 'emails'];
const GROUP_FILTERS = ['displayname', 'externalid', 'id', 'members', 'members.value'];

/**
 * SCIM 2.0 over the organization's users and groups. Every change goes through the same services,
 * rules and audit as an admin's request: the SCIM client is its organization's admin service account.
 */
@Injectable()
export class ScimService {
  constructor(
    private readonly em: EntityManager,
    private readonly scim: ScimRepository,
    private readonly memberships: MembershipService,
    private readonly groups: GroupsService,
    private readonly users: UsersService,
    private readonly scopes: ScopeLoader,
    private readonly abilities: AbilityFactory,
  ) {}

  /**
   * A service account acts in the one organization it belongs to; SCIM needs it to be an admin there,
   * and to come in with an API key (a person's session is not a provisioning client).
   */
  async scopeOf(caller: Caller): Promise<ScimScope> {
    if (caller.scheme !== API_KEY_SCHEME) throw ScimErrors.keyRequired();
    const organizationId = await this.scim.internalOrganizationOf(this.em.fork(), caller.userId);
    if (!organizationId) throw ScimErrors.keyRequired();
    const ctx = await this.scopes.forOrganization(confirmedUser(caller.userId), organizationId);
    if (!ctx) throw CommonErrors.unauthenticated();
    if (ctx.organization?.membershipType !== 'admin') throw ScimErrors.keyRequired();
    return { organizationId, policy: { ctx, ability: this.abilities.build(ctx) } };
  }

  async listUsers(scope: ScimScope, filter: string | undefined, startIndex: number, count: number) {
    const comparisons = parseScimFilter(filter, USER_FILTERS);
    const id = filterValue(comparisons, 'id');
    if (id !== undefined && !isUuid(id)) return { total: 0, startIndex, rows: [] };
    const page = await this.scim.users(
      this.em.fork(),
      scope.organizationId,
      {
        userName: filterValue(comparisons, 'username') ?? filterValue(comparisons, 'emails.value') ?? filterValue(comparisons, 'emails'),
        externalId: filterValue(comparisons, 'externalid'),
        id,
      },
      { offset: startIndex - 1, count },
    );
    return { ...page, startIndex };
  }

  async getUser(scope: ScimScope, userId: string): Promise<ScimUserRow> {
    const row = isUuid(userId) ? await this.scim.user(this.em.fork(), scope.organizationId, userId) : undefined;
    if (!row) throw ScimErrors.userNotFound();
    return row;
  }

  async createUser(scope: ScimScope, body: unknown): Promise<ScimUserRow> {
    const wanted = userFromResource(body);
    const existing = await this.scim.users(this.em.fork(), scope.organizationId, { userName: wanted.userName }, { offset: 0, count: 1 });
    if (existing.total > 0) throw ScimErrors.userExists();
    let userId: string;
    if (wanted.active) {
      userId = (
        await this.memberships.add(
          scope.policy,
          scope.organizationId,
          { email: wanted.userName, type: wanted.admin ? 'admin' : 'member' },
          this.keep(scope, wanted),
        )
      ).userId;
    } else {
      // Provisioned deactivated: known to SCIM, no access until activated.
      userId = await this.em.transactional(async (em) => {
        const user = await this.users.findOrInvite(em, wanted.userName);
        await this.keep(scope, wanted)(em, user.id);
        return user.id;
      });
    }
    return this.getUser(scope, userId);
  }

  async replaceUser(scope: ScimScope, userId: string, body: unknown): Promise<ScimUserRow> {
    const current = await this.getUser(scope, userId);
    const wanted = userFromResource(body);
    if (wanted.userName !== current.email) {
      throw ScimErrors.invalidValue("userName is the user's email address here and cannot change");
    }
    return this.applyUser(scope, current, wanted);
  }

  async patchUser(scope: ScimScope, userId: string, body: unknown): Promise<ScimUserRow> {
    const current = await this.getUser(scope, userId);
    return this.applyUser(scope, current, patchUser(userState(current), patchOperations(body)));
  }

  /** Deprovisioning: the user leaves the organization under an admin's removal rules, and SCIM forgets them. */
  async deleteUser(scope: ScimScope, userId: string): Promise<void> {
    const current = await this.getUser(scope, userId);
    const forget = (em: EntityManager) => this.scim.forgetUser(em, scope.organizationId, userId);
    if (current.type) {
      await this.memberships.remove(scope.policy, scope.organizationId, userId, undefined, forget);
    } else {
      await this.em.transactional(forget);
    }
  }

  async listGroups(scope: ScimScope, filter: string | undefined, startIndex: number, count: number) {
    const comparisons = parseScimFilter(filter, GROUP_FILTERS);
    const id = filterValue(comparisons, 'id');
    const memberId = filterValue(comparisons, 'members') ?? filterValue(comparisons, 'members.value');
    if ((id !== undefined && !isUuid(id)) || (memberId !== undefined && !isUuid(memberId))) {
      return { total: 0, startIndex, rows: [] };
    }
    const page = await this.scim.groups(
      this.em.fork(),
      scope.organizationId,
      { displayName: filterValue(comparisons, 'displayname'), externalId: filterValue(comparisons, 'externalid'), id, memberId },
      { offset: startIndex - 1, count },
    );
    return { ...page, startIndex };
  }

  async getGroup(scope: ScimScope, groupId: string): Promise<ScimGroupRow> {
    const row = isUuid(groupId) ? await this.scim.group(this.em.fork(), scope.organizationId, groupId) : undefined;
    if (!row) throw ScimErrors.groupNotFound();
    return row;
  }

  async createGroup(scope: ScimScope, body: unknown): Promise<ScimGroupRow> {
    const wanted = groupFromResource(body);
    this.assertMay(scope, 'create');
    const group = await this.groups.create(
      scope.policy.ctx.caller.userId,
      scope.organizationId,
      { name: wanted.displayName, memberIds: wanted.memberIds },
      (em, groupId) => this.scim.saveGroup(em, scope.organizationId, groupId, wanted.externalId),
    );
    return this.getGroup(scope, group.id);
  }

  async replaceGroup(scope: ScimScope, groupId: string, body: unknown): Promise<ScimGroupRow> {
    await this.getGroup(scope, groupId);
    return this.applyGroup(scope, groupId, groupFromResource(body));
  }

  async patchGroup(scope: ScimScope, groupId: string, body: unknown): Promise<ScimGroupRow> {
    const current = await this.getGroup(scope, groupId);
    const state: ScimGroupState = {
      displayName: current.name,
      externalId: current.external_id,
      memberIds: current.members.map((member) => member.value),
    };
    return this.applyGroup(scope, groupId, patchGroup(state, patchOperations(body)));
  }

  async deleteGroup(scope: ScimScope, groupId: string): Promise<void> {
    await this.getGroup(scope, groupId);
    this.assertMay(scope, 'delete');
    await this.groups.delete(scope.policy.ctx.caller.userId, scope.organizationId, groupId);
  }

  /**
   * One transaction per change: the membership change (add, type, removal) carries the SCIM row with
   * it, so a refusal (last admin, sole admin of resources, an externalId taken) leaves nothing behind.
   */
  private async applyUser(scope: ScimScope, current: ScimUserRow, wanted: ScimUserState): Promise<ScimUserRow> {
    const keep = this.keep(scope, wanted);
    const type = wanted.admin ? 'admin' : 'member';
    if (current.type && !wanted.active) {
      await this.memberships.remove(scope.policy, scope.organizationId, current.id, undefined, keep);
    } else if (!current.type && wanted.active) {
      await this.memberships.add(scope.policy, scope.organizationId, { email: current.email, type }, keep);
    } else if (current.type) {
      await this.memberships.changeType(scope.policy, scope.organizationId, current.id, { type }, keep);
    } else {
      await this.em.transactional((em) => keep(em, current.id));
    }
    return this.getUser(scope, current.id);
  }

  private async applyGroup(scope: ScimScope, groupId: string, wanted: ScimGroupState): Promise<ScimGroupRow> {
    this.assertMay(scope, 'update');
    await this.groups.reconcile(
      scope.policy.ctx.caller.userId,
      scope.organizationId,
      groupId,
      { name: wanted.displayName, memberIds: wanted.memberIds },
      (em) => this.scim.saveGroup(em, scope.organizationId, groupId, wanted.externalId),
    );
    return this.getGroup(scope, groupId);
  }

  private keep(scope: ScimScope, wanted: ScimUserState) {
    return (em: EntityManager, userId: string) =>
      this.scim.saveUser(em, scope.organizationId, userId, {
        externalId: wanted.externalId,
        givenName: wanted.givenName,
        familyName: wanted.familyName,
      });
  }

  private assertMay(scope: ScimScope, action: 'create' | 'update' | 'delete'): void {
    if (scope.policy.ability.cannot(action, 'Group')) throw CommonErrors.forbidden();
  }
}

export function userState(row: ScimUserRow): ScimUserState {
  return {
    userName: row.email,
    externalId: row.external_id,
    givenName: row.given_name,
    familyName: row.family_name,
    active: row.type !== null,
    admin: row.type === 'admin',
  };
}
