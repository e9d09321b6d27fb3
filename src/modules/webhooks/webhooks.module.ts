import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { PolicyModule } from '../../policy/policy.module';
import { QuotasModule } from '../quotas/quotas.module';
import { WebhookDelivery } from './entities/webhook-delivery.entity';
import { WebhookEndpoint } from './entities/webhook-endpoint.entity';
import { WebhookEventType } from './entities/webhook-event-type.entity';
import { WebhookEvent } from './entities/webhook-event.entity';
import { WebhookSecrets } from './webhook-secrets';
import { WebhookWorker } from './webhook-worker';
import { WebhooksController } from './webhooks.controller';
import { WebhooksRepository } from './webhooks.repository';
import { defineWebhookRules } from './webhooks.rules';
import { WebhooksService } from './webhooks.service';

/**
 * Webhooks. The module imports no feature whose changes it sends: events come from the audit log,
 * through the trigger that writes the outbox in each change's own transaction.
 */
@Module({
  imports: [
    QuotasModule,
    MikroOrmModule.forFeature([WebhookEndpoint, WebhookEvent, WebhookDelivery, WebhookEventType]),
    PolicyModule.forFeature(defineWebhookRules),
  ],
  controllers: [WebhooksController],
  providers: [WebhooksService, WebhooksRepository, WebhookSecrets, WebhookWorker],
})
export class WebhooksModule {}
