import type { SchemaObject } from '@nestjs/swagger';
import { AUDIT_MAX_JSON_BYTES, AUDIT_MAX_STRING_LENGTH } from '../audit-data';

const uuid = (description: string): SchemaObject => ({ type: 'string', format: 'uuid', description });
const uuids = (description: string): SchemaObject => ({
  type: 'array',
  items: { type: 'string', format: 'uuid' },
  description,
});

/**
 * What an audit event's `data` holds, member by member, as the features write it. Members depend on
 * the action; every member is optional, and a feature may add one (clients must ignore those they
 * do not know). Values too large to keep twice are replaced by their size and hash, at any depth.
 */
export const AUDIT_DATA_SCHEMA: SchemaObject = {
  type: 'object',
  additionalProperties: true,
  description:
    'Details of the change; which members appear depends on `action` (all optional, more may be added). ' +
    `Any string over ${AUDIT_MAX_STRING_LENGTH} characters, at any depth, and any JSON document over ` +
    `${AUDIT_MAX_JSON_BYTES / 1024} KiB (an ontology structure) appears as ` +
    '`{ "$omitted": { "bytes": <size>, "sha256": "<hex>" } }`, which still tells two versions apart.',
  properties: {
    before: {
      description:
        'The changed fields before the change (an object; for `*.updated` only the fields that changed), ' +
        'null when the thing did not exist; `tag.renamed`: the old name (a string).',
    },
    after: {
      description:
        'The same fields after the change; `*.created`: the new fields; `tag.renamed`: the new name (a string).',
    },
    userId: uuid(
      'The person concerned: `collaborator.*` (the collaborator), `group.member_removed` (the member removed).',
    ),
    invitationId: uuid('`invitation.*`: the invitation (accepted, expired, resent, revoked).'),
    late: {
      type: 'boolean',
      description:
        "`invitation.accepted`: the invitation had expired, but the person is a resource's only admin, so its grants stay.",
    },
    soleAdminOf: uuids('`invitation.accepted` when `late`: the resources they are the only admin of.'),
    userIds: uuids('`group.members_added`: the people added.'),
    memberIds: uuids('`group.created`: its first members.'),
    groupId: uuid('`resource_group.*`: the group given, changed or losing a role.'),
    datasetId: uuid('`project.dataset_attached`, `project.dataset_detached`: the dataset.'),
    tagId: uuid('`project.tag_added`, `project.tag_removed`: the tag.'),
    notificationId: uuid('`notification.*`: the notification.'),
    name: {
      type: 'string',
      description: "`tag.created`, `tag.deleted`, `project.tag_added`: the tag's name.",
    },
    projectCount: {
      type: 'integer',
      description: '`tag.deleted`: how many projects carried it.',
    },
    domain: {
      type: 'string',
      description: '`organization.domain_added`, `organization.domain_removed`: the domain.',
    },
    email: { type: 'string', description: "`membership.added`: the person's email." },
    type: {
      type: 'string',
      enum: ['admin', 'member', 'workforce', 'external'],
      description: '`membership.added`, `membership.joined_by_domain`: the membership type given.',
    },
    previousType: {
      type: 'string',
      enum: ['admin', 'member', 'workforce', 'external', null],
      nullable: true,
      description: '`membership.joined_by_domain`: the type they had before (null when none).',
    },
    via: {
      type: 'object',
      properties: { targetType: { type: 'string' }, targetId: { type: 'string', format: 'uuid' } },
      description:
        '`membership.added_by_invitation`: what the invitation was for (`targetType`, `targetId`).',
    },
    replacementUserId: {
      type: 'string',
      format: 'uuid',
      nullable: true,
      description: '`membership.removed`: who took over the resources the removed person was sole admin of.',
    },
    handedOver: uuids('`membership.removed`: the resources handed over to the replacement.'),
    removed: {
      type: 'object',
      additionalProperties: { type: 'integer' },
      description:
        '`membership.removed`, `invitation.revoked`, `invitation.expired`: what was taken away with the membership (counts by kind of right).',
    },
    fromUserId: uuid('`collaborator.admin_handed_over`: the admin removed from the organization.'),
    toUserId: uuid('`collaborator.admin_handed_over`: the new admin.'),
    previousRole: {
      type: 'string',
      nullable: true,
      description: "`collaborator.admin_handed_over`: the new admin's role before, null when they had none.",
    },
  },
  example: {
    userId: '0f8fad5b-d9cb-469f-a165-70867728950e',
    before: { role: 'annotator' },
    after: { role: 'reviewer' },
  },
};
