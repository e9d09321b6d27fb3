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

/** URL segment of each kind: /projects, /datasets, /ontologies. */
export const KIND_BY_SEGMENT = { projects: 'project', datasets: 'dataset', ontologies: 'ontology' } as const;
export type KindSegment = keyof typeof KIND_BY_SEGMENT;

export const isRoleOf = (kind: ResourceKind, role: string): role is ResourceRole =>
  ROLES_BY_KIND[kind].includes(role as ResourceRole);
