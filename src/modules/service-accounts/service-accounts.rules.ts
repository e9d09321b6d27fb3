import type { DefineRules } from '../../policy/policy-rules';

/**
 * Service accounts and their keys are the organization admins' (platform admins' `manage all` covers
 * them too): a key acts with its account's rights, so whoever holds one can act as an admin could.
 */
export const defineServiceAccountRules: DefineRules = ({ can }, { organization }) => {
  if (organization?.membershipType === 'admin') can('manage', 'ServiceAccount');
};
