import type { DefineRules } from '../../policy/policy-rules';
import { isInternal } from '../../policy/policy-context';

/**
 * Resource-level rules from the caller's effective role on the resource (direct or through a
 * group) and their type in the resource's organization.
 */
export const defineResourceRules: DefineRules = ({ can }, { caller, resource, organization }) => {
  if (!resource) return;
  const orgType = organization?.id === resource.organizationId ? organization.membershipType : null;
  const isOrgAdmin = orgType === 'admin';
  const role = resource.role;
  if (role || isOrgAdmin) can('discover', 'Resource');
  if (isOrgAdmin) can('join', 'Resource');
  // Tags belong to the organization: any of its internal users who can reach the project may tag it.
  if (resource.kind === 'project' && resource.organizationId && isInternal(orgType) && (role || isOrgAdmin)) {
    can('tag', 'Resource');
  }
  if (!role) return;
  can('read', 'Resource');
  // Anyone may leave: remove their own direct role. The last admin cannot (LAST_ADMIN, in the service).
  can('delete', 'Collaborator', { userId: caller.userId });
  if (role === 'admin') {
    can(
      ['update', 'delete', 'readCollaborators', 'manageGroups', 'manageLinks', 'manageNotifications'],
      'Resource',
    );
    can(['invite', 'changeRole', 'delete'], 'Collaborator');
    return;
  }
  if (role === 'team_manager') {
    can(['readCollaborators', 'manageNotifications'], 'Resource');
    // Team managers run the project's team, but never hand out or take away admin.
    can('invite', 'Collaborator', { role: { $ne: 'admin' } });
    can('changeRole', 'Collaborator', { role: { $ne: 'admin' }, currentRole: { $ne: 'admin' } });
    can('delete', 'Collaborator', { role: { $ne: 'admin' } });
  }
};
