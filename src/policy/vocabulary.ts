/**
 * The words the policy speaks: the kinds of resources, their roles, and the types of membership.
 * Features use them; the policy engine owns them, so it depends on no feature.
 */
export const MEMBERSHIP_TYPES = ['admin', 'member', 'workforce', 'external'] as const;
export type MembershipType = (typeof MEMBERSHIP_TYPES)[number];
export const INTERNAL_TYPES: readonly MembershipType[] = ['admin', 'member'];

export const RESOURCE_KINDS = ['project', 'dataset', 'ontology'] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

export const PROJECT_ROLES = [
  'admin',
  'team_manager',
  'annotator_reviewer',
  'reviewer',
  'annotator',
] as const;
export const DATA_ROLES = ['admin', 'user'] as const;
export type ProjectRole = (typeof PROJECT_ROLES)[number];
export type DataRole = (typeof DATA_ROLES)[number];
export type ResourceRole = ProjectRole | DataRole;
export const ALL_RESOURCE_ROLES: readonly ResourceRole[] = [...PROJECT_ROLES, 'user'];

/** Roles of each kind, strongest first: a user's effective role is the first one they hold. */
export const ROLES_BY_KIND: Record<ResourceKind, readonly ResourceRole[]> = {
  project: PROJECT_ROLES,
  dataset: DATA_ROLES,
  ontology: DATA_ROLES,
};

export const isRoleOf = (kind: ResourceKind, role: string): role is ResourceRole =>
  ROLES_BY_KIND[kind].includes(role as ResourceRole);

/** The roles of one kind, as the type system sees them. */
export type RoleOf<K extends ResourceKind> = K extends 'project' ? ProjectRole : DataRole;
