import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  MaxLength,
  ValidateBy,
} from 'class-validator';
import { PageOf } from '../../../common/pagination';
import { WEBHOOK_EVENT_TYPES, WebhookEventTypeName } from '../webhook-event-types';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const unique = ({ value }: { value: unknown }) => (Array.isArray(value) ? [...new Set(value)] : value);

/** An absolute http(s) URL with no credentials in it (a receiver authenticates by the signature). */
const isWebhookUrl = (value: unknown): boolean => {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password;
  } catch {
    return false;
  }
};
const IsWebhookUrl = () =>
  ValidateBy({
    name: 'isWebhookUrl',
    validator: {
      validate: isWebhookUrl,
      defaultMessage: () => 'url must be an absolute http or https URL without credentials',
    },
  });

@ApiSchema({
  name: 'CreateWebhookEndpoint',
  description: 'Where to send which events. The URL must not reach an internal address.',
})
export class CreateWebhookEndpointDto {
  /** Absolute http(s) URL without credentials. */
  @ApiProperty({ format: 'uri', maxLength: 2048 })
  @IsString()
  @MaxLength(2048)
  @IsWebhookUrl()
  url: string;

  /** The event types to receive (see the `WebhookEvent` schema). */
  @ApiProperty({
    enum: WEBHOOK_EVENT_TYPES,
    isArray: true,
    minItems: 1,
    maxItems: WEBHOOK_EVENT_TYPES.length,
  })
  @Transform(unique)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true })
  events: WebhookEventTypeName[];

  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(500)
  description?: string;
}

@ApiSchema({ name: 'UpdateWebhookEndpoint', description: "An endpoint's new URL, events or state." })
export class UpdateWebhookEndpointDto {
  @ApiPropertyOptional({ format: 'uri', maxLength: 2048 })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  @IsWebhookUrl()
  url?: string;

  @ApiPropertyOptional({
    enum: WEBHOOK_EVENT_TYPES,
    isArray: true,
    minItems: 1,
    maxItems: WEBHOOK_EVENT_TYPES.length,
  })
  @IsOptional()
  @Transform(unique)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true })
  events?: WebhookEventTypeName[];

  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(500)
  description?: string;

  /** A disabled endpoint is sent nothing: no event is kept for it, and its pending deliveries wait. */
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;
}

@ApiSchema({
  name: 'WebhookEndpoint',
  description:
    'Where an organization receives its events. Each request carries the `WebhookEvent` schema as its body, signed as Standard Webhooks says.',
})
export class WebhookEndpointDto {
  id: string;
  url: string;
  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true })
  events: WebhookEventTypeName[];
  description: string;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
}

@ApiSchema({
  name: 'CreatedWebhookEndpoint',
  description: 'A new endpoint with its signing secret, shown this once.',
})
export class CreatedWebhookEndpointDto extends WebhookEndpointDto {
  /** `whsec_` and the base64 of the HMAC-SHA256 key; shown this once, keep it. */
  secret: string;
}

@ApiSchema({ name: 'WebhookEndpointPage', description: 'A page of webhook endpoints, oldest first.' })
export class WebhookEndpointPage extends PageOf(WebhookEndpointDto) {}

@ApiSchema({
  name: 'RotatedWebhookSecret',
  description: 'The new signing secret, shown this once; the previous one still signs until its expiry.',
})
export class RotatedWebhookSecretDto {
  secret: string;
  /** Until then each request carries two signatures, one per secret. */
  previousSecretExpiresAt: string;
}
