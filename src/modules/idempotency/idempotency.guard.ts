import { createHash } from 'node:crypto';
import {
  CanActivate,
  ExecutionContext,
  HttpException,
  HttpStatus,
  Injectable,
  Logger,
  OnModuleDestroy,
  OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost, Reflector } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ANSWERS_SECRET } from '../../common/answers-secret.decorator';
import { canonicalJson } from '../../common/json-document';
import type { AuthorizedRequest } from '../../policy/policy.guard';
import { IdempotencyErrors } from './idempotency.errors';
import { IdempotencyRepository, StoredAnswer } from './idempotency.repository';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
const KEY = /^[\x21-\x7e]{1,255}$/;
const TTL_SECONDS = 24 * 60 * 60;
/** Well past the longest a request may run (30 s to arrive, 15 s per statement): its instance is gone. */
const ABANDONED_AFTER_SECONDS = 5 * 60;
const SWEEP_EVERY_MS = 60 * 60 * 1000;
/** The headers of an answer that a replay must repeat. */
const KEPT_HEADERS = ['content-type', 'location', 'etag'];

type Idempotency =
  { kind: 'claimed'; caller: string; key: string } | { kind: 'replay'; stored: StoredAnswer };

/**
 * `Idempotency-Key` on every authenticated POST, as Stripe does: the first request with a key claims
 * it in PostgreSQL before it runs; its answer (2xx or 4xx) is kept for 24 hours and replayed to a
 * retry with the same route and body; another route or body with the key is 422; a retry while the
 * first is still running is 409. A 5xx is not kept: the request's transaction rolled back, so the
 * key is freed and a retry runs again.
 *
 * A guard, registered after the policy guard (it needs the caller); the answer is captured, and a
 * replay written, in Fastify's onSend hook, the one place that sees the final status, headers and
 * body, errors from the problem-details filter included. A guard rather than an interceptor: one
 * global interceptor puts every request of every route through Nest's RxJS interceptor chain, which
 * cost a quarter of the server's CPU on a project read (docs/decisions.md). A guard cannot answer by
 * itself, so a replay is thrown past the handler (ReplayedAnswer) and the onSend hook writes the
 * stored answer in place of what the filter made of it.
 */
@Injectable()
export class IdempotencyGuard implements CanActivate, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Idempotency');
  private readonly requests = new WeakMap<FastifyRequest, Idempotency>();
  private sweeper?: NodeJS.Timeout;

  constructor(
    private readonly repository: IdempotencyRepository,
    private readonly adapterHost: HttpAdapterHost,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    // A callback hook: most requests carry no key, and they pass without the promise and microtask
    // that an async hook costs every request (docs/decisions.md).
    fastify.addHook('onSend', (request, reply, payload, done) => {
      const state = this.requests.get(request);
      if (!state) return done(null, payload);
      this.requests.delete(request);
      this.answer(state, reply, payload).then(
        (answer) => done(null, answer),
        (error: Error) => done(error),
      );
    });
    this.sweeper = setInterval(() => {
      this.repository.sweep().catch((err: unknown) => this.logger.warn({ err }, 'idempotency sweep failed'));
    }, SWEEP_EVERY_MS).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthorizedRequest>();
    const key = request.headers[IDEMPOTENCY_HEADER];
    // Public routes (sign-up, login) have no caller to scope a key to: a shared key space would let
    // one anonymous client read another's answer.
    if (request.method !== 'POST' || key === undefined || !request.policy) return true;
    // An answer carrying a secret shown once is never stored, so it cannot be replayed.
    if (this.reflector.get<boolean>(ANSWERS_SECRET, context.getHandler())) return true;
    if (typeof key !== 'string' || !KEY.test(key)) throw IdempotencyErrors.invalidKey();
    const claim = {
      caller: request.policy.ctx.caller.userId,
      key,
      target: `${request.method} ${request.url}`,
      requestHash: createHash('sha256')
        .update(canonicalJson(request.body ?? null))
        .digest('hex'),
    };
    const result = await this.repository.claim(claim, TTL_SECONDS, ABANDONED_AFTER_SECONDS);
    if (result.claimed) {
      this.requests.set(request, { kind: 'claimed', caller: claim.caller, key });
      return true;
    }
    const { stored } = result;
    if (stored.target !== claim.target || stored.requestHash !== claim.requestHash)
      throw IdempotencyErrors.reused();
    if (stored.responseStatus === null) throw IdempotencyErrors.inProgress();
    this.requests.set(request, { kind: 'replay', stored });
    throw new ReplayedAnswer(); // the handler does not run; onSend writes the stored answer
  }

  /** The payload to send for a request that claimed or replays a key; a claimed key's answer is stored. */
  private async answer(state: Idempotency, reply: FastifyReply, payload: unknown): Promise<unknown> {
    if (state.kind === 'replay') {
      const { stored } = state;
      void reply.code(stored.responseStatus as number);
      // The filter's problem content type must not outlive it: the stored answer's own, or none.
      void reply.removeHeader('content-type');
      for (const [name, value] of Object.entries(stored.responseHeaders ?? {}))
        void reply.header(name, value);
      void reply.header('Idempotent-Replayed', 'true');
      return stored.responseBody ?? '';
    }
    if (reply.statusCode >= 500) {
      await this.repository.release(state.caller, state.key);
      return payload;
    }
    const headers: Record<string, string> = {};
    for (const name of KEPT_HEADERS) {
      const value = reply.getHeader(name);
      if (value !== undefined) headers[name] = String(value);
    }
    await this.repository.saveAnswer(state.caller, state.key, {
      status: reply.statusCode,
      headers,
      body:
        typeof payload === 'string'
          ? payload
          : payload === undefined || payload === null
            ? ''
            : String(payload),
    });
    return payload;
  }
}

/** Thrown by the guard to skip the handler of a replayed request; onSend replaces the filter's answer. */
class ReplayedAnswer extends HttpException {
  constructor() {
    super('replayed from the stored answer', HttpStatus.CONFLICT);
  }
}
