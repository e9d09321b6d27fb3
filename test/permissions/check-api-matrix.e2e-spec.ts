import { join } from 'node:path';
import { RESOURCE_KINDS } from '../../src/policy/vocabulary';
import { segmentOf } from '../factories/resources.factory';
import { CheckQuestion, describeCheckWalk, idAfter } from './check-api-walk';
import { HttpCall, readMatrix } from './permission-matrix';
import { ORGANIZATION_PROBES } from './organization-probes';
import {
  buildOrganizationWorld,
  ORGANIZATION_CALLERS,
  organizationCredentials,
  OrganizationWorld,
} from './organization-world';
import { resourceProbes } from './resource-matrix-probes';
import {
  buildResourceWorld,
  callersOf,
  RESOURCE_CALLERS,
  resourceCredentials,
} from './resource-matrix-world';
import { buildResourceOrganizationWorld, RESOURCE_ORGANIZATION_PROBES } from './resource-organization-probes';

/**
 * Every cell of the three permission matrices, asked through `POST /authz/check` and
 * `GET .../permissions` before the route itself answers (check-api-walk.ts): the check API's answer
 * is the route's. The action of the check vocabulary that each row of the tables names:
 */
const ORGANIZATION_ROW_ACTIONS: Record<string, string> = {
  'organization.read': 'read',
  'members.list': 'readMembers',
  'members.add': 'addMembers',
  'members.add-admin': 'addAdmins',
  'members.change-type': 'changeMemberTypes',
  'members.remove': 'removeMembers',
  'members.remove-admin': 'removeAdmins',
  'groups.read': 'readGroups',
  'groups.manage': 'manageGroups',
  'tags.list': 'readTags',
  'tags.manage': 'manageTags',
  'audit.read': 'readAuditLog',
  'service-accounts.manage': 'manageServiceAccounts',
  'service-accounts.keys': 'manageApiKeys',
  'webhooks.manage': 'manageWebhooks',
  'invitations.manage': 'manageInvitations',
  'platform.organizations': 'update',
  'resources.list': 'listResources',
};

const RESOURCE_ROW_ACTIONS: Record<string, string> = {
  'resource.read': 'read',
  'resource.update': 'update',
  'resource.delete': 'delete',
  'collaborators.read': 'readCollaborators',
  'collaborators.invite': 'invite',
  'collaborators.grant-admin': 'grantAdmin',
  'collaborators.change': 'manageCollaborators',
  'collaborators.change-admin': 'manageAdmins',
  'collaborators.leave': 'leave',
  'groups.manage': 'manageGroups',
  'links.manage': 'manageLinks',
  'tags.manage': 'tag',
  'notifications.manage': 'manageNotifications',
  'resources.join': 'join',
};

function actionOf(table: Record<string, string>, rowId: string): string {
  const action = table[rowId];
  if (!action) throw new Error(`no check action for row ${rowId}`);
  return action;
}

/** Organization rows: about the organization in the URL, or O itself (creating an organization, the platform's list). */
const organizationQuestion = (rowId: string, call: HttpCall, world: OrganizationWorld): CheckQuestion => ({
  action: actionOf(ORGANIZATION_ROW_ACTIONS, rowId),
  resource: { type: 'organization', id: idAfter(call.url, 'organizations') ?? world.organization.id },
});

const PROJECT_ONLY_ROWS = ['links.manage', 'notifications.manage', 'tags.manage'];
const resourceRows = readMatrix(join(__dirname, 'resource-matrix.csv'), RESOURCE_CALLERS);

describeCheckWalk({
  suite: {
    title: 'Permission matrix: organization-level actions',
    callers: ORGANIZATION_CALLERS,
    rows: readMatrix(join(__dirname, 'organization-matrix.csv'), ORGANIZATION_CALLERS),
    probes: ORGANIZATION_PROBES,
    buildWorld: buildOrganizationWorld,
    credentials: organizationCredentials,
  },
  question: organizationQuestion,
});

for (const kind of RESOURCE_KINDS) {
  describeCheckWalk({
    suite: {
      title: `Permission matrix: resource-level actions on ${segmentOf(kind)}`,
      callers: callersOf(kind),
      rows: resourceRows.filter((row) => kind === 'project' || !PROJECT_ONLY_ROWS.includes(row.id)),
      probes: resourceProbes(kind),
      buildWorld: (t) => buildResourceWorld(t, kind),
      credentials: resourceCredentials,
    },
    question: (rowId, call) => ({
      action: actionOf(RESOURCE_ROW_ACTIONS, rowId),
      resource: { type: kind, id: idAfter(call.url, segmentOf(kind))! },
    }),
  });
}

describeCheckWalk({
  suite: {
    title: "Permission matrix: organization-level actions on O's projects, datasets and ontologies",
    callers: ORGANIZATION_CALLERS,
    rows: readMatrix(join(__dirname, 'resource-organization-matrix.csv'), ORGANIZATION_CALLERS),
    probes: RESOURCE_ORGANIZATION_PROBES,
    buildWorld: buildResourceOrganizationWorld,
    credentials: organizationCredentials,
  },
  // Joining names the resource: asked about it; the lists are the organization's.
  question: (rowId, call, world) => {
    if (rowId !== 'resources.join') return organizationQuestion(rowId, call, world);
    const kind = RESOURCE_KINDS.find((k) => idAfter(call.url, segmentOf(k)))!;
    return { action: 'join', resource: { type: kind, id: idAfter(call.url, segmentOf(kind))! } };
  },
});
