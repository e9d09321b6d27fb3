import type { DefineRules } from '../../policy/policy-rules';
import { isInternal } from '../../policy/policy-context';

/**
 * The dashboard is for internal users. Anyone with a membership may learn that the organization
 * exists (403 beyond that); anyone else gets 404.
 */
export const defineOrganizationRules: DefineRules = ({ can }, { caller, organization }) => {
  if (!organization?.membershipType) return;
  const type = organization.membershipType;
  can('discover', 'Organization');
  if (!isInternal(type)) return;
  can('read', 'Organization');
  can('read', 'Group');
  can('read', 'Tag');
  // Members see the organization's resources they collaborate on; admins see them all.
  can('list', 'Resource', { organizationId: organization.id, memberIds: caller.userId });
  if (type !== 'admin') return;
  can('list', 'Resource', { organizationId: organization.id });
  can('join', 'Resource', { organizationId: organization.id });
  can('manage', 'Group');
  can('manage', 'Tag');
  can('read', 'AuditEvent');
};
