/**
 * The public webhook event types (those of the API specification) and the audited changes each one
 * stands for; `data.action` of an event names the precise change. A group's role on a resource is a
 * collaborator event (`data.targetType` is the resource's kind, `data.details.groupId` the group).
 * Names are part of the API: never renamed, only added to. The
 * mapping is held in the database (webhook_event_types, seeded by migrations) because the trigger
 * that writes the outbox reads it; webhook-event-types.spec holds this copy equal to it.
 */
export const WEBHOOK_EVENT_MAPPING = {
  'membership.added': ['membership.added', 'membership.added_by_invitation', 'membership.joined_by_domain'],
  'membership.updated': ['membership.promoted', 'membership.demoted', 'membership.expiry_changed'],
  'membership.removed': ['membership.removed', 'membership.expired'],
  'group.created': ['group.created'],
  'group.updated': ['group.updated'],
  'group.deleted': ['group.deleted'],
  'group.members_changed': ['group.members_added', 'group.member_removed'],
  'collaborator.added': ['collaborator.added', 'collaborator.joined', 'resource_group.added'],
  'collaborator.updated': [
    'collaborator.role_changed',
    'collaborator.admin_handed_over',
    'resource_group.role_changed',
  ],
  'collaborator.removed': ['collaborator.removed', 'resource_group.removed', 'collaborator.expired'],
  'resource.created': ['project.created', 'dataset.created', 'ontology.created'],
  'resource.updated': [
    'project.updated',
    'dataset.updated',
    'ontology.updated',
    'project.dataset_attached',
    'project.dataset_detached',
    'project.ontology_set',
  ],
  'resource.deleted': ['project.deleted', 'dataset.deleted', 'ontology.deleted'],
  'tag.created': ['tag.created'],
  'tag.updated': ['tag.renamed'],
  'tag.deleted': ['tag.deleted'],
  'project.tagged': ['project.tag_added'],
  'project.untagged': ['project.tag_removed'],
} as const satisfies Record<string, readonly string[]>;

export type WebhookEventTypeName = keyof typeof WEBHOOK_EVENT_MAPPING;
export const WEBHOOK_EVENT_TYPES = Object.keys(WEBHOOK_EVENT_MAPPING) as WebhookEventTypeName[];
