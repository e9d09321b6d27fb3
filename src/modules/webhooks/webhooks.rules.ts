import type { DefineRules } from '../../policy/policy-rules';

/** Webhooks send everything that changes in the organization: its admins alone manage them. */
export const defineWebhookRules: DefineRules = ({ can }, { organization }) => {
  if (organization?.membershipType === 'admin') can('manage', 'Webhook');
};
