import { randomBytes, randomUUID } from 'node:crypto';
import { ResourceKind, ResourceRole } from '../../src/policy/vocabulary';
import { createGroup } from '../factories/groups.factory';
import {
  addMembership,
  createMember,
  createOrganization,
  TestOrganization,
} from '../factories/organizations.factory';
import {
  addCollaborator,
  createTag,
  insertNotification,
  insertResource,
  segmentOf,
} from '../factories/resources.factory';
import { createPlatformAdmin, createUser, TestUser } from '../factories/users.factory';
import { TestApp } from '../support/test-app';

/** Callers of the resource-level table, by their effective role on the resource R (permissions.md). */
export const RESOURCE_CALLERS = [
  'P',
  'admin',
  'team_manager',
  'other',
  'W',
  'E',
  'Aorg',
  'none',
  'X',
] as const;
export type ResourceCaller = (typeof RESOURCE_CALLERS)[number];
/** Datasets and ontologies have no team managers. */
export const callersOf = (kind: ResourceKind): readonly ResourceCaller[] =>
  kind === 'project' ? RESOURCE_CALLERS : RESOURCE_CALLERS.filter((caller) => caller !== 'team_manager');

type RoleColumn = 'admin' | 'team_manager' | 'other' | 'W' | 'E';

/** Who holds each role on every fresh R: some directly, and (but for externals) one through a group of R's organization. */
interface RoleHolders {
  direct: { user: TestUser; role: ResourceRole }[];
  viaGroup?: { user: TestUser; groupId: string; role: ResourceRole };
}

export interface ResourceWorld {
  t: TestApp;
  kind: ResourceKind;
  segment: string;
  organization: TestOrganization;
  /** Another organization, whose ids must never be served through R. */
  other: TestOrganization;
  holders: Partial<Record<RoleColumn, RoleHolders>>;
  platformAdmin: TestUser;
  nobody: TestUser[];
  /** A dataset and an ontology of O that every signed-in caller can read: what link probes attach. */
  sharedDataset: string;
  sharedOntology: string;
  /** A tag of O, what tag probes put on projects. */
  tagId: string;
  /** A resource of the other organization, with a collaborator, a group and a notification. */
  foreign: {
    resourceId: string;
    projectId: string;
    userId: string;
    groupId: string;
    notificationId: string;
    tagId: string;
  };
  deletedUserToken: string;
}

/** Non-admin roles of each kind: the first is what "other" callers hold directly, the last through a group. */
export const OTHER_ROLES: Record<ResourceKind, ResourceRole[]> = {
  project: ['reviewer', 'annotator', 'annotator_reviewer'],
  dataset: ['user'],
  ontology: ['user'],
};
/** A non-admin role a probe may give or invite with. */
export const plainRole = (kind: ResourceKind): ResourceRole => (kind === 'project' ? 'annotator' : 'user');

export async function buildResourceWorld(t: TestApp, kind: ResourceKind): Promise<ResourceWorld> {
  const organization = await createOrganization(t);
  const other = await createOrganization(t);
  const workforceOrganization = await createOrganization(t, { isWorkforce: true });
  const internal = () => createMember(t, organization.id, 'member');
  const external = () => createMember(t, organization.id, 'external');
  const workforce = async () => {
    const user = await createMember(t, workforceOrganization.id, 'member');
    return addMembership(t, organization.id, user, 'workforce');
  };
  const viaGroup = async (role: ResourceRole, user: TestUser) => ({
    user,
    role,
    groupId: (await createGroup(t, organization.id, { memberIds: [user.id] })).id,
  });

  // Role holders are internal users of O, but for W and E: a workforce and an external user of O
  // holding a non-admin role, who differ from the other roles only where the organization's own
  // things are concerned (tags).
  const holders: ResourceWorld['holders'] = {
    admin: {
      direct: [{ user: await internal(), role: 'admin' }],
      viaGroup: await viaGroup('admin', await internal()),
    },
    other: {
      direct: await Promise.all(OTHER_ROLES[kind].map(async (role) => ({ user: await internal(), role }))),
      viaGroup: await viaGroup(OTHER_ROLES[kind][OTHER_ROLES[kind].length - 1], await internal()),
    },
    W: {
      direct: [{ user: await workforce(), role: plainRole(kind) }],
      viaGroup: await viaGroup(plainRole(kind), await workforce()),
    },
    E: { direct: [{ user: await external(), role: plainRole(kind) }] },
  };
  if (kind === 'project') {
    holders.team_manager = {
      direct: [{ user: await internal(), role: 'team_manager' }],
      viaGroup: await viaGroup('team_manager', await internal()),
    };
  }

  const platformAdmin = await createPlatformAdmin(t);
  // No role on R: a member, a workforce and an external user of O, and someone internal elsewhere.
  const nobody = [
    await internal(),
    await workforce(),
    await external(),
    await createMember(t, other.id, 'member'),
  ];
  const everyone = [
    ...Object.values(holders).flatMap((h) => [
      ...h.direct.map((d) => d.user),
      ...(h.viaGroup ? [h.viaGroup.user] : []),
    ]),
    organization.admin,
    ...nobody,
  ];
  const owner = holders.admin!.direct[0].user;
  const { id: sharedDataset } = await insertResource(t, {
    kind: 'dataset',
    ownerId: owner.id,
    organizationId: organization.id,
  });
  const { id: sharedOntology } = await insertResource(t, {
    kind: 'ontology',
    ownerId: owner.id,
    organizationId: organization.id,
  });
  for (const user of everyone.filter((u) => u.id !== owner.id)) {
    await addCollaborator(t, sharedDataset, user.id, 'user');
    await addCollaborator(t, sharedOntology, user.id, 'user');
  }

  const foreignUser = await createMember(t, other.id, 'member');
  const { id: foreignResource } = await insertResource(t, {
    kind,
    ownerId: other.admin.id,
    organizationId: other.id,
  });
  await addCollaborator(t, foreignResource, foreignUser.id, plainRole(kind));
  const foreignGroup = await createGroup(t, other.id, { memberIds: [foreignUser.id] });
  const { id: foreignProject } = await insertResource(t, {
    kind: 'project',
    ownerId: other.admin.id,
    organizationId: other.id,
  });
  const notification = await insertNotification(t, foreignProject);

  const deleted = await createUser(t);
  await t.sql('delete from users where id = ?', [deleted.id]);
  return {
    tagId: await createTag(t, organization.id),
    t,
    kind,
    segment: segmentOf(kind),
    organization,
    other,
    holders,
    platformAdmin,
    nobody,
    sharedDataset,
    sharedOntology,
    foreign: {
      resourceId: foreignResource,
      projectId: foreignProject,
      userId: foreignUser.id,
      groupId: foreignGroup.id,
      notificationId: notification.id,
      tagId: await createTag(t, other.id),
    },
    deletedUserToken: deleted.token,
  };
}

/**
 * A new R of the world's kind in O, with every role holder's role: each probe acts on its own R,
 * so that what one test changes (deleting R, removing someone) never decides another's answer.
 */
export async function freshResource(w: ResourceWorld): Promise<string> {
  const owner = w.holders.admin!.direct[0].user;
  const direct = Object.values(w.holders).flatMap((h) => h.direct);
  const groups = Object.values(w.holders).flatMap((h) => (h.viaGroup ? [h.viaGroup] : []));
  const [row] = await w.t.sql<{ id: string }>(
    `with r as (
       insert into resources (id, kind, organization_id, owner_id, title, structure, created_at, updated_at)
       values (gen_random_uuid(), ?, ?, ?, ?, ?, clock_timestamp(), clock_timestamp())
       returning id, organization_id
     ), direct as (
       insert into collaborators (id, resource_id, user_id, role, organization_id, created_at)
       select gen_random_uuid(), r.id, x.user_id::uuid, x.role, r.organization_id, now()
         from r, (values ${direct.map(() => '(?, ?)').join(', ')}) as x(user_id, role)
     ), via_groups as (
       insert into resource_groups (id, resource_id, group_id, role, organization_id, created_at)
       select gen_random_uuid(), r.id, x.group_id::uuid, x.role, r.organization_id, now()
         from r, (values ${groups.map(() => '(?, ?)').join(', ')}) as x(group_id, role)
     )
     select id from r`,
    [
      w.kind,
      w.organization.id,
      owner.id,
      `Probe ${w.kind} ${randomBytes(4).toString('hex')}`,
      w.kind === 'ontology' ? '{}' : null,
      ...direct.flatMap((d) => [d.user.id, d.role]),
      ...groups.flatMap((g) => [g.groupId, g.role]),
    ],
  );
  return row.id;
}

/** The role holder (or platform admin) presenting this token, with the role they hold on every fresh R. */
export function holderOf(
  w: ResourceWorld,
  token: string | undefined,
): { user: TestUser; role: ResourceRole; direct: boolean } | undefined {
  if (token === w.platformAdmin.token)
    return { user: w.platformAdmin, role: plainRole(w.kind), direct: false };
  for (const holders of Object.values(w.holders)) {
    const direct = holders.direct.find((d) => d.user.token === token);
    if (direct) return { ...direct, direct: true };
    const viaGroup = holders.viaGroup;
    if (viaGroup && viaGroup.user.token === token)
      return { user: viaGroup.user, role: viaGroup.role, direct: false };
  }
  return undefined;
}

/** Each caller presents every credential of their column: direct and group-granted roles, every kind of outsider. */
export function resourceCredentials(w: ResourceWorld, caller: ResourceCaller): (string | undefined)[] {
  switch (caller) {
    case 'P':
      return [w.platformAdmin.token];
    case 'Aorg':
      return [w.organization.admin.token];
    case 'none':
      return w.nobody.map((user) => user.token);
    case 'X':
      return [undefined, `not-a-jwt.${randomUUID()}`, w.deletedUserToken];
    default: {
      const holders = w.holders[caller];
      if (!holders) throw new Error(`no ${caller} on a ${w.kind}`);
      return [
        ...holders.direct.map((d) => d.user.token),
        ...(holders.viaGroup ? [holders.viaGroup.user.token] : []),
      ];
    }
  }
}
