import { EntityManager } from '@mikro-orm/postgresql';
import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { sendWebhook, SendResult } from './webhook-sender';
import { WebhookSecrets } from './webhook-secrets';
import { signedHeaders } from './webhook-signature';
import { TargetPolicy } from './webhook-targets';
import { LeasedDelivery, WebhooksRepository } from './webhooks.repository';

/** Attempts one instance has in flight at most. */
const MAX_IN_FLIGHT = 20;
/** Events fanned out to their endpoints per round, the oldest first. */
const FAN_OUT_BATCH = 500;
/** Events (with their delivery log) are kept this long once nothing is left to send. */
export const WEBHOOK_RETENTION_DAYS = 30;
const SWEEP_EVERY_MS = 60 * 60 * 1000;

/**
 * Sends due deliveries, in every instance, every WEBHOOK_POLL_INTERVAL_MS. A delivery is leased in
 * PostgreSQL (`for update skip locked`, then a lease longer than any attempt can take) before it
 * is sent, outside any transaction: instances never wait on each other, never send one delivery
 * twice at once, and a lease that ends with its instance makes the delivery due again. Each tick
 * leases only as many as there are free places, without waiting for the attempts in flight, so a
 * slow receiver holds one place until its timeout rather than the whole worker.
 * A failed attempt is retried after an exponential backoff with jitter, for WEBHOOK_RETRY_WINDOW_MS.
 */
@Injectable()
export class WebhookWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Webhooks');
  private readonly targets: TargetPolicy;
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private leasing: Promise<LeasedDelivery[]> | undefined;
  private stopped = false;
  private lastSweep = Date.now();

  constructor(
    private readonly em: EntityManager,
    private readonly config: AppConfig,
    private readonly secrets: WebhookSecrets,
    private readonly webhooks: WebhooksRepository,
  ) {
    this.targets = new TargetPolicy(config.WEBHOOK_ALLOW_PRIVATE_TARGETS);
  }

  onApplicationBootstrap(): void {
    if (this.config.WEBHOOK_POLL_INTERVAL_MS === 0) return;
    this.timer = setInterval(() => void this.runOnce(), this.config.WEBHOOK_POLL_INTERVAL_MS);
    this.timer.unref();
  }

  /** Sends nothing new; waits for the attempts in flight, so that each records its outcome. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.leasing?.catch(() => undefined);
    await Promise.all([...this.inFlight]);
  }

  /** Leases what is due (as many as there are free places) and sends it; resolves to the number sent. */
  async runOnce(): Promise<number> {
    if (Date.now() - this.lastSweep > SWEEP_EVERY_MS) {
      this.lastSweep = Date.now();
      this.webhooks
        .sweep(this.em.fork(), WEBHOOK_RETENTION_DAYS, 10_000)
        .catch((err: unknown) => this.logger.warn({ err }, 'old webhook events not swept'));
    }
    const free = MAX_IN_FLIGHT - this.inFlight.size;
    if (this.stopped || this.leasing || free <= 0) return 0;
    await this.webhooks
      .fanOut(this.em.fork(), FAN_OUT_BATCH)
      .catch((err: unknown) =>
        this.logger.warn({ err }, 'webhook events not fanned out: tried again next round'),
      );
    // Longer than an attempt can take (address lookup, then the request, each cut at the timeout).
    const leaseMs = 2 * this.config.WEBHOOK_TIMEOUT_MS + 10_000;
    this.leasing = this.webhooks.lease(this.em.fork(), free, leaseMs);
    let leased: LeasedDelivery[];
    try {
      leased = await this.leasing;
    } catch (err: unknown) {
      this.logger.warn({ err }, 'webhook deliveries could not be leased');
      return 0;
    } finally {
      this.leasing = undefined;
    }
    await Promise.all(leased.map((delivery) => this.track(delivery)));
    return leased.length;
  }

  private track(delivery: LeasedDelivery): Promise<void> {
    const attempt = this.attempt(delivery)
      .catch((err: unknown) =>
        this.logger.warn(
          { err, deliveryId: delivery.id },
          'webhook attempt not recorded: retried when its lease ends',
        ),
      )
      .finally(() => this.inFlight.delete(attempt));
    this.inFlight.add(attempt);
    return attempt;
  }

  private async attempt(delivery: LeasedDelivery): Promise<void> {
    const result = await this.send(delivery);
    const succeeded = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
    const now = Date.now();
    const retryAt = now + this.backoff(delivery.attempts);
    const givenUp =
      !succeeded && retryAt > delivery.retryingSince.getTime() + this.config.WEBHOOK_RETRY_WINDOW_MS;
    await this.webhooks.recordAttempt(this.em.fork(), delivery, {
      status: succeeded ? 'succeeded' : givenUp ? 'failed' : 'pending',
      nextAttemptAt: new Date(succeeded || givenUp ? now : retryAt),
      statusCode: result.statusCode,
      // PostgreSQL text holds no NUL character.
      response: result.response.replace(/\0/g, ''),
    });
  }

  private async send(delivery: LeasedDelivery): Promise<SendResult> {
    const url = new URL(delivery.url);
    const target = await this.targets.check(url, this.config.WEBHOOK_TIMEOUT_MS);
    if (!target.ok)
      return {
        statusCode: null,
        response:
          target.reason === 'unresolvable'
            ? 'not sent: the host name does not resolve'
            : `not sent: ${target.address} is an internal address`,
      };
    let secrets: string[];
    try {
      secrets = [delivery.secretCiphertext, delivery.previousSecretCiphertext]
        .filter((stored): stored is string => stored !== null)
        .map((stored) => this.secrets.decrypt(stored, delivery.endpointId));
    } catch {
      // Retried, then failed like any other attempt; rotating the secret repairs the endpoint.
      return {
        statusCode: null,
        response: 'not sent: the signing secret cannot be decrypted with WEBHOOK_SECRET_KEY',
      };
    }
    const headers = signedHeaders(delivery.eventId, Math.floor(Date.now() / 1000), delivery.body, secrets);
    return sendWebhook(url, target.address, headers, delivery.body, this.config.WEBHOOK_TIMEOUT_MS);
  }

  /** Exponential, capped, with jitter (half to all of it) so that receivers coming back are not stampeded. */
  private backoff(attempts: number): number {
    const exponential = this.config.WEBHOOK_RETRY_BASE_DELAY_MS * 2 ** Math.min(attempts - 1, 30);
    const capped = Math.min(exponential, this.config.WEBHOOK_RETRY_MAX_DELAY_MS);
    return Math.round(capped / 2 + (Math.random() * capped) / 2);
  }
}
