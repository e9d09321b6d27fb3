import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { sql } from '../../database/sql';

export interface StoredAnswer {
  target: string;
  requestHash: string;
  responseStatus: number | null;
  responseHeaders: Record<string, string> | null;
  responseBody: string | null;
}

/**
 * The only writer of idempotency_keys. Each statement runs on its own, outside the request's work:
 * the claim must be visible to other instances before the request runs, and its answer must be kept
 * whatever the request's own transaction did.
 */
@Injectable()
export class IdempotencyRepository {
  constructor(private readonly em: EntityManager) {}

  /**
   * Takes the key for this request, or returns the row that holds it. A row past its expiry, or a
   * claim left by an instance that died mid-request (no answer after `abandonedAfterSeconds`), is
   * taken over in the same statement, so two claimants can never both win.
   */
  async claim(
    claim: { caller: string; key: string; target: string; requestHash: string },
    ttlSeconds: number,
    abandonedAfterSeconds: number,
  ): Promise<{ claimed: true } | { claimed: false; stored: StoredAnswer }> {
    const em = this.em.fork();
    const taken = await sql(
      em,
      `insert into idempotency_keys (caller, key, target, request_hash, expires_at)
       values (?, ?, ?, ?, now() + make_interval(secs => ?))
       on conflict (caller, key) do update
         set target = excluded.target, request_hash = excluded.request_hash, response_status = null,
             response_headers = null, response_body = null, created_at = now(), expires_at = excluded.expires_at
         where idempotency_keys.expires_at <= now()
            or (idempotency_keys.response_status is null
                and idempotency_keys.created_at <= now() - make_interval(secs => ?))
       returning id`,
      [claim.caller, claim.key, claim.target, claim.requestHash, ttlSeconds, abandonedAfterSeconds],
      { name: 'idempotency_claim' },
    );
    if (taken.length > 0) return { claimed: true };
    const [stored] = await sql<StoredAnswer>(
      em,
      `select target, request_hash as "requestHash", response_status as "responseStatus",
              response_headers as "responseHeaders", response_body as "responseBody"
         from idempotency_keys where caller = ? and key = ?`,
      [claim.caller, claim.key],
      { name: 'idempotency_stored' },
    );
    // Gone between the two statements (expired and swept): the caller may simply try again.
    if (!stored) return this.claim(claim, ttlSeconds, abandonedAfterSeconds);
    return { claimed: false, stored };
  }

  async saveAnswer(
    caller: string,
    key: string,
    answer: { status: number; headers: Record<string, string>; body: string },
  ): Promise<void> {
    await sql(
      this.em.fork(),
      `update idempotency_keys set response_status = ?, response_headers = ?::jsonb, response_body = ?
        where caller = ? and key = ? and response_status is null`,
      [answer.status, JSON.stringify(answer.headers), answer.body, caller, key],
      { name: 'idempotency_save' },
    );
  }

  /** Frees the key: the request failed on our side and changed nothing, so a retry must run again. */
  async release(caller: string, key: string): Promise<void> {
    await sql(
      this.em.fork(),
      `delete from idempotency_keys where caller = ? and key = ? and response_status is null`,
      [caller, key],
      { name: 'idempotency_release' },
    );
  }

  /** Drops expired rows; called now and then so the table holds about a day of keys. */
  async sweep(): Promise<void> {
    await sql(this.em.fork(), `delete from idempotency_keys where expires_at <= now()`, [], {
      name: 'idempotency_sweep',
    });
  }
}
