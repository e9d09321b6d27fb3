import { Action, SubjectType } from '../../policy/actions';
import { TargetScope } from '../../policy/batch-scope-loader';
import { PolicyContext } from '../../policy/policy-context';
import { RESOURCE_KINDS, ResourceKind, ROLES_BY_KIND } from '../../policy/vocabulary';

/** What a question may be about. */
export const CHECK_TARGET_TYPES = ['organization', ...RESOURCE_KINDS] as const;
export type CheckTargetType = (typeof CHECK_TARGET_TYPES)[number];

/**
 * A policy question that a route asks: the action and subject type of its guard, and the row its
 * service checks (the conditions of the rules, e.g. the role given), so that the answer is the
 * route's own. `row` undefined: the route checks the kind of subject only (lists, reads).
 */
interface PolicyQuestion {
  action: Action;
  subject: SubjectType;
  row?: (ctx: PolicyContext) => object;
}

interface CheckableAction {
  /** Every question must be allowed (an action done by two routes, e.g. inviting as admin and promoting to admin). */
  questions: PolicyQuestion[];
  /** Kinds of resources that have the routes (links, notifications and tags are projects'). */
  kinds?: readonly ResourceKind[];
  /** Beyond the rules, what the route needs to have something to act on. */
  needs?: (scope: TargetScope) => boolean;
}

/** No user: a row about someone other than the subject. */
const SOMEONE_ELSE = '00000000-0000-0000-0000-000000000000';
/** A non-admin role of the resource's kind (the weakest): what the rules about "non-admin" roles test. */
const plainRole = (ctx: PolicyContext) => ROLES_BY_KIND[ctx.resource!.kind].at(-1)!;
const theOrganization = (ctx: PolicyContext) => ({ ...ctx.organization });
const theResource = (ctx: PolicyContext) => ({ ...ctx.resource });

/**
 * The actions of an organization, named after what the dashboard does (each is one row of the
 * organization-level table of permissions.md), and the policy question of the routes that do it.
 */
export const ORGANIZATION_ACTIONS = {
  read: { questions: [{ action: 'read', subject: 'Organization', row: theOrganization }] },
  readMembers: { questions: [{ action: 'read', subject: 'Member' }] },
  addMembers: { questions: [{ action: 'create', subject: 'Member', row: () => ({ type: 'member' }) }] },
  addAdmins: { questions: [{ action: 'create', subject: 'Member', row: () => ({ type: 'admin' }) }] },
  changeMemberTypes: {
    questions: [{ action: 'update', subject: 'Member', row: () => ({ type: 'member' }) }],
  },
  removeMembers: { questions: [{ action: 'delete', subject: 'Member', row: () => ({ type: 'member' }) }] },
  removeAdmins: { questions: [{ action: 'delete', subject: 'Member', row: () => ({ type: 'admin' }) }] },
  readGroups: { questions: [{ action: 'read', subject: 'Group' }] },
  manageGroups: {
    questions: [
      { action: 'create', subject: 'Group' },
      { action: 'update', subject: 'Group' },
      { action: 'delete', subject: 'Group' },
    ],
  },
  readTags: { questions: [{ action: 'read', subject: 'Tag' }] },
  manageTags: {
    questions: [
      { action: 'create', subject: 'Tag' },
      { action: 'update', subject: 'Tag' },
      { action: 'delete', subject: 'Tag' },
    ],
  },
  listResources: { questions: [{ action: 'list', subject: 'Resource' }] },
  joinResources: {
    questions: [
      { action: 'join', subject: 'Resource', row: (ctx) => ({ organizationId: ctx.organization?.id }) },
    ],
  },
  readAuditLog: { questions: [{ action: 'read', subject: 'AuditEvent' }] },
  manageServiceAccounts: {
    questions: [
      { action: 'create', subject: 'ServiceAccount' },
      { action: 'read', subject: 'ServiceAccount' },
      { action: 'update', subject: 'ServiceAccount' },
      { action: 'delete', subject: 'ServiceAccount' },
    ],
  },
  /** Create, list and revoke a service account's API keys. */
  manageApiKeys: {
    questions: [
      { action: 'read', subject: 'ServiceAccount' },
      { action: 'update', subject: 'ServiceAccount' },
    ],
  },
  /** List pending invitations, resend and revoke them. */
  manageInvitations: {
    questions: [
      { action: 'read', subject: 'Invitation' },
      { action: 'update', subject: 'Invitation' },
      { action: 'delete', subject: 'Invitation' },
    ],
  },
  /** Register, change and delete webhook endpoints, rotate their secrets, read and redeliver deliveries. */
  manageWebhooks: {
    questions: [
      { action: 'create', subject: 'Webhook' },
      { action: 'read', subject: 'Webhook' },
      { action: 'update', subject: 'Webhook' },
      { action: 'delete', subject: 'Webhook' },
    ],
  },
  /** The platform's: rename, domains, the workforce flag. */
  update: { questions: [{ action: 'update', subject: 'Organization' }] },
} satisfies Record<string, CheckableAction>;

/**
 * The actions on a project, dataset or ontology, named after the policy's actions where the
 * resource is the subject (`read`, `update`, `manageGroups`...), and after the row of permissions.md
 * where the subject is a collaborator (`invite`, `grantAdmin`, `manageCollaborators`...).
 */
export const RESOURCE_ACTIONS = {
  read: { questions: [{ action: 'read', subject: 'Resource', row: theResource }] },
  update: { questions: [{ action: 'update', subject: 'Resource', row: theResource }] },
  delete: { questions: [{ action: 'delete', subject: 'Resource', row: theResource }] },
  readCollaborators: { questions: [{ action: 'readCollaborators', subject: 'Resource', row: theResource }] },
  /** Invite with a non-admin role. */
  invite: {
    questions: [{ action: 'invite', subject: 'Collaborator', row: (ctx) => ({ role: plainRole(ctx) }) }],
  },
  /** Invite as admin, or give a collaborator the admin role. */
  grantAdmin: {
    questions: [
      { action: 'invite', subject: 'Collaborator', row: () => ({ role: 'admin' }) },
      {
        action: 'changeRole',
        subject: 'Collaborator',
        row: (ctx) => ({ role: 'admin', currentRole: plainRole(ctx) }),
      },
    ],
  },
  /** Change the role of, or remove, a non-admin collaborator. */
  manageCollaborators: {
    questions: [
      {
        action: 'changeRole',
        subject: 'Collaborator',
        row: (ctx) => ({ role: plainRole(ctx), currentRole: plainRole(ctx) }),
      },
      {
        action: 'delete',
        subject: 'Collaborator',
        row: (ctx) => ({ role: plainRole(ctx), userId: SOMEONE_ELSE }),
      },
    ],
  },
  /** Change the role of, or remove, an admin collaborator (never the last: that is 409 LAST_ADMIN). */
  manageAdmins: {
    questions: [
      {
        action: 'changeRole',
        subject: 'Collaborator',
        row: (ctx) => ({ role: plainRole(ctx), currentRole: 'admin' }),
      },
      { action: 'delete', subject: 'Collaborator', row: () => ({ role: 'admin', userId: SOMEONE_ELSE }) },
    ],
  },
  /** Remove one's own direct role (never as the last admin). */
  leave: {
    questions: [
      {
        action: 'delete',
        subject: 'Collaborator',
        row: (ctx) => ({ role: ctx.resource?.role, userId: ctx.caller.userId }),
      },
    ],
    needs: (scope) => scope.hasDirectRole,
  },
  manageGroups: { questions: [{ action: 'manageGroups', subject: 'Resource', row: theResource }] },
  /** Attach and detach datasets, set the ontology. */
  manageLinks: {
    questions: [{ action: 'manageLinks', subject: 'Resource', row: theResource }],
    kinds: ['project'],
  },
  manageNotifications: {
    questions: [{ action: 'manageNotifications', subject: 'Resource', row: theResource }],
    kinds: ['project'],
  },
  /** Put the organization's tags on the project and take them off. */
  tag: { questions: [{ action: 'tag', subject: 'Resource', row: theResource }], kinds: ['project'] },
  /** Become its admin, as an admin of its organization. */
  join: {
    questions: [
      {
        action: 'join',
        subject: 'Resource',
        row: (ctx) => ({ organizationId: ctx.resource?.organizationId }),
      },
    ],
  },
} satisfies Record<string, CheckableAction>;

export type OrganizationAction = keyof typeof ORGANIZATION_ACTIONS;
export type ResourceAction = keyof typeof RESOURCE_ACTIONS;
export type CheckAction = OrganizationAction | ResourceAction;

export const ORGANIZATION_ACTION_NAMES = Object.keys(ORGANIZATION_ACTIONS) as OrganizationAction[];
export const RESOURCE_ACTION_NAMES = Object.keys(RESOURCE_ACTIONS) as ResourceAction[];
export const CHECK_ACTIONS = [
  ...new Set<CheckAction>([...ORGANIZATION_ACTION_NAMES, ...RESOURCE_ACTION_NAMES]),
];

/** The actions that exist on a type of target, in the order of the vocabulary. */
export function actionsOf(type: CheckTargetType): CheckAction[] {
  if (type === 'organization') return ORGANIZATION_ACTION_NAMES;
  return RESOURCE_ACTION_NAMES.filter((name) => {
    const kinds = (RESOURCE_ACTIONS[name] as CheckableAction).kinds;
    return !kinds || kinds.includes(type);
  });
}

/** The checkable action of that name on that type of target; undefined when it has no such action. */
export function checkableAction(type: CheckTargetType, name: string): CheckableAction | undefined {
  if (!(actionsOf(type) as string[]).includes(name)) return undefined;
  return type === 'organization'
    ? ORGANIZATION_ACTIONS[name as OrganizationAction]
    : RESOURCE_ACTIONS[name as ResourceAction];
}

export type { CheckableAction };
