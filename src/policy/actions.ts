import { MongoAbility } from '@casl/ability';

/**
 * What can be done. `discover` is the right to learn that a target exists: refused, the answer is
 * 404; any other refused action on a discoverable target is 403.
 */
export type Action =
  | 'manage'
  | 'discover'
  | 'read'
  | 'list'
  | 'create'
  | 'update'
  | 'delete'
  | 'join'
  | 'tag'
  | 'invite'
  | 'changeRole'
  | 'manageGroups'
  | 'manageLinks'
  | 'manageNotifications'
  | 'readCollaborators';

export type SubjectType =
  | 'all'
  | 'Platform'
  | 'Organization'
  | 'Member'
  | 'Invitation'
  | 'Group'
  | 'Tag'
  | 'AuditEvent'
  | 'ServiceAccount'
  | 'Webhook'
  | 'Resource'
  | 'Collaborator';

/** A subject instance, tagged with its type by CASL's `subject()` helper. */
export type SubjectInstance = Record<string, unknown> & { __caslSubjectType__?: SubjectType };

export type AppAbility = MongoAbility<[Action, SubjectType | SubjectInstance]>;
