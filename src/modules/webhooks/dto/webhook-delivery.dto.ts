import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { PageOf } from '../../../common/pagination';
import { DELIVERY_STATUSES, DeliveryStatus } from '../entities/webhook-delivery.entity';
import { WEBHOOK_EVENT_TYPES, WebhookEventTypeName } from '../webhook-event-types';
import { WebhookEventDto } from './webhook-event.dto';

@ApiSchema({
  name: 'WebhookDelivery',
  description: 'One event sent to one endpoint, and how the last attempt went.',
})
export class WebhookDeliveryDto {
  id: string;
  /** Also the `webhook-id` header of every attempt. */
  eventId: string;
  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES })
  eventType: WebhookEventTypeName;
  /** `pending` until a 2xx answer (`succeeded`) or until retries stop after 24 hours (`failed`). */
  @ApiProperty({ enum: DELIVERY_STATUSES })
  status: DeliveryStatus;
  attempts: number;
  /** The last attempt's HTTP status; null before any, or when there was no answer. */
  @ApiProperty({ type: Number, nullable: true })
  lastStatusCode: number | null;
  /** The first 1,000 characters of the last answer's body, or why there was no answer. */
  @ApiProperty({ type: String, nullable: true })
  lastResponse: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastAttemptAt: string | null;
  /** When the next attempt is due; null once succeeded or failed. */
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  nextAttemptAt: string | null;
  createdAt: string;
  /** The body every attempt sends, byte for byte (as signed). */
  event: WebhookEventDto;
}

@ApiSchema({ name: 'WebhookDeliveryPage', description: "A page of an endpoint's deliveries, newest first." })
export class WebhookDeliveryPage extends PageOf(WebhookDeliveryDto) {}
