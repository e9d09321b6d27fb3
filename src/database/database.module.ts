import { MikroORM } from '@mikro-orm/postgresql';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { appOrmOptions, ServingLimits } from './orm-options';
import { runInRequestContext } from './request-context';
import { keepStatementValuesOutOfErrors } from './statement-errors';

@Module({})
export class DatabaseModule implements OnModuleInit {
  constructor(
    private readonly orm: MikroORM,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /**
   * The ORM, global through MikroORM's core module, and its entity manager per request: not MikroORM's
   * middleware, which forks one for every request (through Nest's middleware layer), but a Fastify
   * hook whose context forks it on first use (request-context.ts).
   */
  static forUrl(databaseUrl: string, limits: ServingLimits) {
    return {
      module: DatabaseModule,
      imports: [
        MikroOrmModule.forRoot({ ...appOrmOptions(databaseUrl, limits), registerRequestContext: false }),
      ],
    };
  }

  onModuleInit(): void {
    keepStatementValuesOutOfErrors(this.orm);
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    fastify?.addHook('onRequest', (_request, _reply, done) => runInRequestContext(this.orm.em, done));
  }
}
