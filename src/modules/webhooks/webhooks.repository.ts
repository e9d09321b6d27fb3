import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { preciseTimeSql } from '../../common/keyset-time';
import { CursorElements, keysetCursor, Page, PageQuery } from '../../common/pagination';
import { isoTime } from '../../common/sql';
import { sql } from '../../database/sql';
import { WebhookDeliveryDto } from './dto/webhook-delivery.dto';
import { WebhookEndpointDto } from './dto/webhook-endpoint.dto';
import { WebhookEventDto } from './dto/webhook-event.dto';
import { DeliveryStatus } from './entities/webhook-delivery.entity';
import { WebhookEventTypeName } from './webhook-event-types';

interface EndpointRow {
  id: string;
  url: string;
  events: string[];
  description: string;
  disabled: boolean;
  created_at: Date | string;
  updated_at: Date | string;
}

interface DeliveryRow {
  id: string;
  event_id: string;
  event_type: string;
  status: DeliveryStatus;
  attempts: number;
  last_status_code: number | null;
  last_response: string | null;
  last_attempt_at: Date | string | null;
  next_attempt_at: Date | string;
  created_at: Date | string;
  created_key: string;
  payload: WebhookEventDto;
}

/** A delivery leased by a worker, with what it needs to send it. */
export interface LeasedDelivery {
  id: string;
  leaseToken: string;
  attempts: number;
  retryingSince: Date;
  eventId: string;
  body: string;
  endpointId: string;
  url: string;
  secretCiphertext: string;
  previousSecretCiphertext: string | null;
}

export interface EndpointSecrets {
  secretCiphertext: string;
  previousSecretCiphertext: string | null;
}

/** Endpoints in the order they were registered; deliveries newest first. */
const ENDPOINTS_CURSOR = keysetCursor(CursorElements.timestamp, CursorElements.uuid);
const DELIVERIES_CURSOR = keysetCursor(CursorElements.timestamp, CursorElements.uuid);

const ENDPOINT_COLUMNS = `id, url, events, description, disabled, created_at, updated_at`;

const toEndpoint = (row: EndpointRow): WebhookEndpointDto => ({
  id: row.id,
  url: row.url,
  events: row.events as WebhookEventTypeName[],
  description: row.description,
  disabled: row.disabled,
  createdAt: isoTime(row.created_at),
  updatedAt: isoTime(row.updated_at),
});

const toDelivery = (row: DeliveryRow): WebhookDeliveryDto => ({
  id: row.id,
  eventId: row.event_id,
  eventType: row.event_type as WebhookEventTypeName,
  status: row.status,
  attempts: row.attempts,
  lastStatusCode: row.last_status_code,
  lastResponse: row.last_response,
  lastAttemptAt: row.last_attempt_at === null ? null : isoTime(row.last_attempt_at),
  nextAttemptAt: row.status === 'pending' ? isoTime(row.next_attempt_at) : null,
  createdAt: isoTime(row.created_at),
  event: row.payload,
});

/**
 * The SQL of webhooks. Endpoints and the state of deliveries are written here; the outbox
 * (webhook_events) and new deliveries are written by the trigger on audit_events (see the migration).
 * Every statement of the API names the organization from the path.
 */
@Injectable()
export class WebhooksRepository {
  async pageEndpoints(
    em: EntityManager,
    organizationId: string,
    query: PageQuery,
  ): Promise<Page<WebhookEndpointDto>> {
    const after = ENDPOINTS_CURSOR.decode(query.cursor);
    const rows = await sql<EndpointRow & { created_key: string }>(
      em,
      `select ${ENDPOINT_COLUMNS}, ${preciseTimeSql('created_at')} as created_key
         from webhook_endpoints
        where organization_id = ? ${after ? 'and (created_at, id) > (?::timestamptz, ?::uuid)' : ''}
        order by created_at, id limit ?`,
      [organizationId, ...(after ?? []), query.limit + 1],
    );
    return ENDPOINTS_CURSOR.page(rows, query.limit, (row) => [row.created_key, row.id], toEndpoint);
  }

  async findEndpoint(
    em: EntityManager,
    organizationId: string,
    endpointId: string,
  ): Promise<WebhookEndpointDto | undefined> {
    const [row] = await sql<EndpointRow>(
      em,
      `select ${ENDPOINT_COLUMNS} from webhook_endpoints where organization_id = ? and id = ?`,
      [organizationId, endpointId],
    );
    return row && toEndpoint(row);
  }

  async insertEndpoint(
    em: EntityManager,
    organizationId: string,
    endpoint: { id: string; url: string; events: string[]; description: string; secretCiphertext: string },
  ): Promise<WebhookEndpointDto> {
    const [row] = await sql<EndpointRow>(
      em,
      `insert into webhook_endpoints (id, organization_id, url, events, description, secret_ciphertext)
       values (?, ?, ?, ?::text[], ?, ?) returning ${ENDPOINT_COLUMNS}`,
      [
        endpoint.id,
        organizationId,
        endpoint.url,
        endpoint.events,
        endpoint.description,
        endpoint.secretCiphertext,
      ],
    );
    return toEndpoint(row!);
  }

  /** Changes what is given; undefined when the organization has no such endpoint. */
  async updateEndpoint(
    em: EntityManager,
    organizationId: string,
    endpointId: string,
    changes: { url?: string; events?: string[]; description?: string; disabled?: boolean },
  ): Promise<WebhookEndpointDto | undefined> {
    const [row] = await sql<EndpointRow>(
      em,
      `update webhook_endpoints
          set url = coalesce(?::text, url),
              events = coalesce(?::text[], events),
              description = coalesce(?::text, description),
              disabled = coalesce(?::boolean, disabled),
              updated_at = now()
        where organization_id = ? and id = ?
        returning ${ENDPOINT_COLUMNS}`,
      [
        changes.url ?? null,
        changes.events ?? null,
        changes.description ?? null,
        changes.disabled ?? null,
        organizationId,
        endpointId,
      ],
    );
    return row && toEndpoint(row);
  }

  async deleteEndpoint(em: EntityManager, organizationId: string, endpointId: string): Promise<boolean> {
    const rows = await sql(
      em,
      `delete from webhook_endpoints where organization_id = ? and id = ? returning id`,
      [organizationId, endpointId],
    );
    return rows.length > 0;
  }

  /** The current secret becomes the previous one, signing alongside the new one until `graceMs` from now. */
  async rotateSecret(
    em: EntityManager,
    organizationId: string,
    endpointId: string,
    secretCiphertext: string,
    graceMs: number,
  ): Promise<Date | undefined> {
    const [row] = await sql<{ previous_secret_expires_at: Date }>(
      em,
      `update webhook_endpoints
          set previous_secret_ciphertext = secret_ciphertext,
              previous_secret_expires_at = now() + ? * interval '1 millisecond',
              secret_ciphertext = ?,
              updated_at = now()
        where organization_id = ? and id = ?
        returning previous_secret_expires_at`,
      [graceMs, secretCiphertext, organizationId, endpointId],
    );
    return row && new Date(row.previous_secret_expires_at);
  }

  async pageDeliveries(
    em: EntityManager,
    organizationId: string,
    endpointId: string,
    query: PageQuery,
  ): Promise<Page<WebhookDeliveryDto>> {
    const before = DELIVERIES_CURSOR.decode(query.cursor);
    const rows = await sql<DeliveryRow>(
      em,
      `select d.id, d.event_id, ev.type as event_type, d.status, d.attempts, d.last_status_code,
              d.last_response, d.last_attempt_at, d.next_attempt_at, d.created_at, ev.payload,
              ${preciseTimeSql('d.created_at')} as created_key
         from webhook_deliveries d join webhook_events ev on ev.id = d.event_id
        where d.organization_id = ? and d.endpoint_id = ?
              ${before ? 'and (d.created_at, d.id) < (?::timestamptz, ?::uuid)' : ''}
        order by d.created_at desc, d.id desc limit ?`,
      [organizationId, endpointId, ...(before ?? []), query.limit + 1],
    );
    return DELIVERIES_CURSOR.page(rows, query.limit, (row) => [row.created_key, row.id], toDelivery);
  }

  /**
   * Makes a delivery due now, with a new 24 hours of retries. One being sent right now keeps its
   * lease (it is due again when the lease ends, never sent twice at once) but loses its token, so
   * the result of that attempt is not recorded over the request. False when there is no such delivery.
   */
  async redeliver(
    em: EntityManager,
    organizationId: string,
    endpointId: string,
    deliveryId: string,
  ): Promise<boolean> {
    const rows = await sql(
      em,
      `update webhook_deliveries
          set status = 'pending',
              next_attempt_at = case when lease_token is not null and next_attempt_at > now()
                                     then next_attempt_at else now() end,
              lease_token = null,
              retrying_since = now()
        where organization_id = ? and endpoint_id = ? and id = ?
        returning id`,
      [organizationId, endpointId, deliveryId],
    );
    return rows.length > 0;
  }

  /**
   * Fans out up to `limit` events not yet fanned out, the oldest first: one delivery for each endpoint
   * of the event's organization that is enabled, subscribed to its type and registered no later than
   * the change; then marks them. `skip locked` lets instances share the work; the unique
   * (endpoint, event) makes a second fan-out of one event add nothing. Resolves to the events done.
   */
  async fanOut(em: EntityManager, limit: number): Promise<number> {
    const rows = await sql(
      em,
      `with batch as (
         select id, organization_id, type, created_at from webhook_events
          where not fanned_out
          order by created_at, id
          limit ?
            for update skip locked
       ), made as (
         insert into webhook_deliveries (organization_id, endpoint_id, event_id)
         select b.organization_id, e.id, b.id
           from batch b
           join webhook_endpoints e on e.organization_id = b.organization_id and not e.disabled
                                   and b.type = any(e.events) and e.created_at <= b.created_at
         on conflict (endpoint_id, event_id) do nothing
       )
       update webhook_events ev set fanned_out = true from batch b where ev.id = b.id
       returning ev.id`,
      [limit],
      { name: 'webhook_events_fan_out' },
    );
    return rows.length;
  }

  /**
   * Leases up to `limit` due deliveries of enabled endpoints until `leaseMs` from now. `skip locked`
   * lets workers of several instances claim at once without waiting on each other or taking the
   * same row; the lease then keeps the row from everyone until the attempt is over.
   */
  async lease(em: EntityManager, limit: number, leaseMs: number): Promise<LeasedDelivery[]> {
    const rows = await sql<{
      id: string;
      lease_token: string;
      attempts: number;
      retrying_since: Date;
      event_id: string;
      body: string;
      endpoint_id: string;
      url: string;
      secret_ciphertext: string;
      previous_secret_ciphertext: string | null;
    }>(
      em,
      `with due as (
         select d.id from webhook_deliveries d
          where d.status = 'pending' and d.next_attempt_at <= now()
            and exists (select 1 from webhook_endpoints e where e.id = d.endpoint_id and not e.disabled)
          order by d.next_attempt_at
          limit ?
            for update of d skip locked
       )
       update webhook_deliveries d
          set next_attempt_at = now() + ? * interval '1 millisecond',
              lease_token = gen_random_uuid(),
              attempts = d.attempts + 1,
              last_attempt_at = now()
         from due, webhook_events ev, webhook_endpoints e
        where d.id = due.id and ev.id = d.event_id and e.id = d.endpoint_id
        returning d.id, d.lease_token, d.attempts, d.retrying_since, ev.id as event_id,
                  ev.payload::text as body, e.id as endpoint_id, e.url, e.secret_ciphertext,
                  case when e.previous_secret_expires_at > now() then e.previous_secret_ciphertext end
                    as previous_secret_ciphertext`,
      [limit, leaseMs],
      { name: 'webhook_deliveries_lease' },
    );
    return rows.map((row) => ({
      id: row.id,
      leaseToken: row.lease_token,
      attempts: row.attempts,
      retryingSince: new Date(row.retrying_since),
      eventId: row.event_id,
      body: row.body,
      endpointId: row.endpoint_id,
      url: row.url,
      secretCiphertext: row.secret_ciphertext,
      previousSecretCiphertext: row.previous_secret_ciphertext,
    }));
  }

  /** Records an attempt's outcome, if the lease is still this worker's; ends the lease. */
  async recordAttempt(
    em: EntityManager,
    delivery: { id: string; leaseToken: string },
    outcome: { status: DeliveryStatus; nextAttemptAt: Date; statusCode: number | null; response: string },
  ): Promise<void> {
    await sql(
      em,
      `update webhook_deliveries
          set status = ?, next_attempt_at = ?, lease_token = null, last_status_code = ?, last_response = ?
        where id = ? and lease_token = ?`,
      [
        outcome.status,
        outcome.nextAttemptAt,
        outcome.statusCode,
        outcome.response,
        delivery.id,
        delivery.leaseToken,
      ],
      { name: 'webhook_deliveries_record' },
    );
  }

  /**
   * Deletes up to `limit` events older than `retentionDays` with nothing left to send (their
   * deliveries go with them): the outbox and the delivery log do not grow without end.
   */
  async sweep(em: EntityManager, retentionDays: number, limit: number): Promise<number> {
    const rows = await sql(
      em,
      `delete from webhook_events where id in (
         select ev.id from webhook_events ev
          where ev.created_at < now() - ? * interval '1 day' and ev.fanned_out
            and not exists (select 1 from webhook_deliveries d where d.event_id = ev.id and d.status = 'pending')
          limit ?)
       returning id`,
      [retentionDays, limit],
    );
    return rows.length;
  }
}
