import type { DefineRules } from '../../policy/policy-rules';
import { isInternal } from '../../policy/policy-context';

/**
 * Internal users see and add users; only admins grant admin, change types and remove users. An
 * admin is never removed by an organization admin (demote first): only platform admins, whose
 * `manage all` covers it, remove one.
 */
export const defineMembershipRules: DefineRules = ({ can }, { organization }) => {
  if (!isInternal(organization?.membershipType)) return;
  can('read', 'Member');
  can('create', 'Member', { type: { $in: ['member', 'workforce', 'external'] } });
  if (organization?.membershipType !== 'admin') return;
  can('create', 'Member');
  can('update', 'Member');
  can('delete', 'Member', { type: { $ne: 'admin' } });
  // Pending invitations: admins see, resend and revoke them.
  can(['read', 'update', 'delete'], 'Invitation');
};
