import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { catchError, from, mergeMap, Observable } from 'rxjs';
import { READS_FROM_REPLICA, runOnReplica } from '../../database/read-routing';
import type { AuthorizedRequest } from '../../policy/policy.guard';
import { ReadPositionsRepository } from './read-positions.repository';
import { ReadReplicas } from './read-replicas';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Read-your-writes with replicas (idle when `DATABASE_REPLICA_URLS` is empty):
 * - after a caller's write (any other method, once its handler is done and its transaction
 *   committed), the primary's WAL position is kept for that caller, before the answer leaves;
 * - a route marked `@ReadsFromReplica()` runs on a replica that has replayed that position, or on
 *   the primary when none has.
 */
@Injectable()
export class ReadRoutingInterceptor implements NestInterceptor {
  constructor(
    private readonly replicas: ReadReplicas,
    private readonly positions: ReadPositionsRepository,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.replicas.enabled) return next.handle();
    const request = context.switchToHttp().getRequest<AuthorizedRequest>();
    const caller = request.policy?.ctx.caller.userId;
    if (!SAFE_METHODS.has(request.method)) {
      if (!caller) return next.handle();
      const record = () => from(this.positions.recordWrite(caller));
      return next.handle().pipe(
        mergeMap((value) => record().pipe(mergeMap(() => [value]))),
        // A refused request may still have committed something (an audit line): keep it too, but
        // answer the request's own error, not a failure to keep the position.
        catchError((error: unknown) =>
          from(this.positions.recordWrite(caller).catch(() => undefined)).pipe(
            mergeMap(() => {
              throw error;
            }),
          ),
        ),
      );
    }
    if (!this.reflector.get<boolean>(READS_FROM_REPLICA, context.getHandler())) return next.handle();
    return from(this.route(caller)).pipe(
      mergeMap((replica) =>
        replica
          ? new Observable((subscriber) => runOnReplica(replica, () => next.handle().subscribe(subscriber)))
          : next.handle(),
      ),
    );
  }

  private async route(caller: string | undefined) {
    const position = caller ? await this.positions.lastWrite(caller) : undefined;
    return this.replicas.caughtUp(position);
  }
}
