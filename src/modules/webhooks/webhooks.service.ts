import { randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Page, PageQuery } from '../../common/pagination';
import { AppConfig } from '../../config/app-config';
import { QuotasService } from '../quotas/quotas.service';
import { WebhookDeliveryDto } from './dto/webhook-delivery.dto';
import {
  CreatedWebhookEndpointDto,
  CreateWebhookEndpointDto,
  RotatedWebhookSecretDto,
  UpdateWebhookEndpointDto,
  WebhookEndpointDto,
} from './dto/webhook-endpoint.dto';
import { WebhookSecrets } from './webhook-secrets';
import { TargetPolicy } from './webhook-targets';
import { WebhookErrors } from './webhooks.errors';
import { WebhooksRepository } from './webhooks.repository';

/**
 * Organization admins' webhook endpoints and their deliveries. Every statement names the
 * organization from the path, so another organization's endpoint id is a 404. A URL is checked
 * when registered or changed (its host must resolve to addresses webhooks may reach), and again at
 * every delivery, since what a name resolves to can change.
 */
@Injectable()
export class WebhooksService {
  private readonly targets: TargetPolicy;

  constructor(
    private readonly em: EntityManager,
    private readonly config: AppConfig,
    private readonly quotas: QuotasService,
    private readonly secrets: WebhookSecrets,
    private readonly webhooks: WebhooksRepository,
  ) {
    this.targets = new TargetPolicy(config.WEBHOOK_ALLOW_PRIVATE_TARGETS);
  }

  list(organizationId: string, query: PageQuery): Promise<Page<WebhookEndpointDto>> {
    return this.webhooks.pageEndpoints(this.em.fork(), organizationId, query);
  }

  async get(organizationId: string, endpointId: string): Promise<WebhookEndpointDto> {
    const endpoint = await this.webhooks.findEndpoint(this.em.fork(), organizationId, endpointId);
    if (!endpoint) throw WebhookErrors.endpointNotFound();
    return endpoint;
  }

  async create(organizationId: string, input: CreateWebhookEndpointDto): Promise<CreatedWebhookEndpointDto> {
    await this.assertReachable(input.url);
    const id = randomUUID();
    const secret = this.secrets.generate();
    const endpoint = await this.em.fork().transactional(async (em) => {
      await this.quotas.assertRoomFor(em, organizationId, 'webhooks');
      return this.webhooks.insertEndpoint(em, organizationId, {
        id,
        url: input.url,
        events: input.events,
        description: input.description ?? '',
        secretCiphertext: this.secrets.encrypt(secret, id),
      });
    });
    return { ...endpoint, secret };
  }

  async update(
    organizationId: string,
    endpointId: string,
    input: UpdateWebhookEndpointDto,
  ): Promise<WebhookEndpointDto> {
    // An unknown endpoint is a 404 before its new URL is looked at.
    await this.get(organizationId, endpointId);
    if (input.url !== undefined) await this.assertReachable(input.url);
    const endpoint = await this.webhooks.updateEndpoint(this.em.fork(), organizationId, endpointId, input);
    if (!endpoint) throw WebhookErrors.endpointNotFound();
    return endpoint;
  }

  async delete(organizationId: string, endpointId: string): Promise<void> {
    if (!(await this.webhooks.deleteEndpoint(this.em.fork(), organizationId, endpointId)))
      throw WebhookErrors.endpointNotFound();
  }

  async rotateSecret(organizationId: string, endpointId: string): Promise<RotatedWebhookSecretDto> {
    const secret = this.secrets.generate();
    const previousExpiresAt = await this.webhooks.rotateSecret(
      this.em.fork(),
      organizationId,
      endpointId,
      this.secrets.encrypt(secret, endpointId),
      this.config.WEBHOOK_SECRET_ROTATION_GRACE_MS,
    );
    if (!previousExpiresAt) throw WebhookErrors.endpointNotFound();
    return { secret, previousSecretExpiresAt: previousExpiresAt.toISOString() };
  }

  async deliveries(
    organizationId: string,
    endpointId: string,
    query: PageQuery,
  ): Promise<Page<WebhookDeliveryDto>> {
    await this.get(organizationId, endpointId);
    return this.webhooks.pageDeliveries(this.em.fork(), organizationId, endpointId, query);
  }

  async redeliver(organizationId: string, endpointId: string, deliveryId: string): Promise<void> {
    if (!(await this.webhooks.redeliver(this.em.fork(), organizationId, endpointId, deliveryId)))
      throw WebhookErrors.deliveryNotFound();
  }

  private async assertReachable(url: string): Promise<void> {
    const check = await this.targets.check(new URL(url), this.config.WEBHOOK_TIMEOUT_MS);
    if (check.ok) return;
    throw check.reason === 'unresolvable'
      ? WebhookErrors.targetUnresolvable()
      : WebhookErrors.targetNotAllowed();
  }
}
