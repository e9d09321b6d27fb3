import type { DefineRules } from '../../policy/policy-rules';

/** Platform admins operate the service: anything an organization admin can do, and more. */
export const definePlatformRules: DefineRules = ({ can }, { caller }) => {
  // Every signed-in caller may know the platform routes exist (403, not 404, for non-operators).
  can('discover', 'Platform');
  if (caller.isPlatformAdmin) can('manage', 'all');
};
