import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../../common/api-problems.decorator';
import { PageQuery } from '../../common/pagination';
import { UuidParam } from '../../common/uuid-param';
import { Authorize } from '../../policy/authorize.decorator';
import { QuotaErrorCode } from '../quotas/quotas.errors';
import { WebhookDeliveryPage } from './dto/webhook-delivery.dto';
import {
  CreatedWebhookEndpointDto,
  CreateWebhookEndpointDto,
  RotatedWebhookSecretDto,
  UpdateWebhookEndpointDto,
  WebhookEndpointDto,
  WebhookEndpointPage,
} from './dto/webhook-endpoint.dto';
import { WebhookErrorCode } from './webhooks.errors';
import { WebhooksService } from './webhooks.service';

const ORGANIZATION = { type: 'organization' } as const;

/** Organization admins' webhook endpoints. Every request sent to one has a `WebhookEvent` body. */
@ApiTags('webhooks')
@Controller('organizations/:orgId/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  /** The organization's webhook endpoints, oldest first (admins only). */
  @Get()
  @Authorize('read', 'Webhook', ORGANIZATION)
  @ApiOperation({ operationId: 'listWebhookEndpoints' })
  list(@UuidParam('orgId') orgId: string, @Query() query: PageQuery): Promise<WebhookEndpointPage> {
    return this.webhooks.list(orgId, query);
  }

  /**
   * Registers an endpoint and answers its signing secret, this once (admins only). Each event is
   * POSTed to the URL with a `WebhookEvent` body (the `event` of a `WebhookDelivery`) and the
   * Standard Webhooks headers `webhook-id`, `webhook-timestamp` and `webhook-signature`.
   */
  @Post()
  @Authorize('create', 'Webhook', ORGANIZATION)
  @ApiOperation({ operationId: 'createWebhookEndpoint' })
  @ApiProblems(
    WebhookErrorCode.WEBHOOK_TARGET_NOT_ALLOWED,
    WebhookErrorCode.WEBHOOK_TARGET_UNRESOLVABLE,
    QuotaErrorCode.QUOTA_EXCEEDED,
  )
  create(
    @UuidParam('orgId') orgId: string,
    @Body() body: CreateWebhookEndpointDto,
  ): Promise<CreatedWebhookEndpointDto> {
    return this.webhooks.create(orgId, body);
  }

  /** One endpoint (its secret is never shown again). */
  @Get(':id')
  @Authorize('read', 'Webhook', ORGANIZATION)
  @ApiOperation({ operationId: 'getWebhookEndpoint' })
  get(@UuidParam('orgId') orgId: string, @UuidParam('id') id: string): Promise<WebhookEndpointDto> {
    return this.webhooks.get(orgId, id);
  }

  /** Changes the URL, the events or the description, or disables or enables the endpoint. */
  @Patch(':id')
  @Authorize('update', 'Webhook', ORGANIZATION)
  @ApiOperation({ operationId: 'updateWebhookEndpoint' })
  @ApiProblems(WebhookErrorCode.WEBHOOK_TARGET_NOT_ALLOWED, WebhookErrorCode.WEBHOOK_TARGET_UNRESOLVABLE)
  update(
    @UuidParam('orgId') orgId: string,
    @UuidParam('id') id: string,
    @Body() body: UpdateWebhookEndpointDto,
  ): Promise<WebhookEndpointDto> {
    return this.webhooks.update(orgId, id, body);
  }

  /** Deletes the endpoint with its deliveries; what was not sent yet is not sent. */
  @Delete(':id')
  @HttpCode(204)
  @Authorize('delete', 'Webhook', ORGANIZATION)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiOperation({ operationId: 'deleteWebhookEndpoint' })
  async delete(@UuidParam('orgId') orgId: string, @UuidParam('id') id: string): Promise<void> {
    await this.webhooks.delete(orgId, id);
  }

  /**
   * A new signing secret, shown this once. The previous one keeps signing alongside it (two
   * signatures per request) until `previousSecretExpiresAt`, so receivers can switch without loss.
   */
  @Post(':id/rotate-secret')
  @HttpCode(200)
  @Authorize('update', 'Webhook', ORGANIZATION)
  @ApiOperation({ operationId: 'rotateWebhookSecret' })
  rotateSecret(
    @UuidParam('orgId') orgId: string,
    @UuidParam('id') id: string,
  ): Promise<RotatedWebhookSecretDto> {
    return this.webhooks.rotateSecret(orgId, id);
  }

  /** What was sent to the endpoint and how it went, newest first. */
  @Get(':id/deliveries')
  @Authorize('read', 'Webhook', ORGANIZATION)
  @ApiOperation({ operationId: 'listWebhookDeliveries' })
  deliveries(
    @UuidParam('orgId') orgId: string,
    @UuidParam('id') id: string,
    @Query() query: PageQuery,
  ): Promise<WebhookDeliveryPage> {
    return this.webhooks.deliveries(orgId, id, query);
  }

  /** Sends a delivery again (with the same `webhook-id`), whatever its state, retrying for another 24 hours. */
  @Post(':id/deliveries/:deliveryId/redeliver')
  @HttpCode(202)
  @Authorize('update', 'Webhook', ORGANIZATION)
  @ApiAcceptedResponse({ description: 'Queued: the delivery is due now' })
  @ApiOperation({ operationId: 'redeliverWebhook' })
  async redeliver(
    @UuidParam('orgId') orgId: string,
    @UuidParam('id') id: string,
    @UuidParam('deliveryId') deliveryId: string,
  ): Promise<void> {
    await this.webhooks.redeliver(orgId, id, deliveryId);
  }
}
