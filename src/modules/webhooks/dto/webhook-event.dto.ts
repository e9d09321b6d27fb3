import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { WEBHOOK_EVENT_TYPES, WebhookEventTypeName } from '../webhook-event-types';

@ApiSchema({
  name: 'WebhookEventData',
  description: 'The change an event reports: the audit log entry it comes from.',
})
export class WebhookEventDataDto {
  organizationId: string;
  /** Who made the change; null for the system. */
  @ApiProperty({ type: String, nullable: true })
  actorId: string | null;
  /**
   * The precise change, as the audit log names it: `membership.promoted`, `project.dataset_attached`...
   * Several actions share one event type.
   */
  action: string;
  /** The kind of thing changed: `user`, `group`, `tag`, `project`, `dataset`, `ontology`. */
  targetType: string;
  @ApiProperty({ type: String, nullable: true })
  targetId: string | null;
  /** The audit event's `data`: `before` and `after` where something changed, ids of what was added. */
  @ApiProperty({ type: 'object', additionalProperties: true })
  details: Record<string, unknown>;
}

@ApiSchema({
  name: 'WebhookEvent',
  description:
    'The body of every webhook request (Standard Webhooks). Headers: `webhook-id` (the event id, the same on every retry: use it to drop duplicates), `webhook-timestamp` (Unix seconds) and `webhook-signature` (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, several space-separated during a secret rotation; the key is the base64 after `whsec_`).',
})
export class WebhookEventDto {
  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES })
  type: WebhookEventTypeName;
  /** When the change was made (ISO 8601, UTC). */
  @ApiProperty({ format: 'date-time' })
  timestamp: string;
  data: WebhookEventDataDto;
}
