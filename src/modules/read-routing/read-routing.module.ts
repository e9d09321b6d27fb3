import { MikroOrmModule } from '@mikro-orm/nestjs';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AppConfig } from '../../config/app-config';
import { ReadPosition } from './entities/read-position.entity';
import { ReadPositionsRepository } from './read-positions.repository';
import { ReadReplicas } from './read-replicas';
import { ReadRoutingInterceptor } from './read-routing.interceptor';

/** Read replicas and read-your-writes (`DATABASE_REPLICA_URLS`); see read-routing.interceptor.ts. */
@Module({
  imports: [MikroOrmModule.forFeature([ReadPosition])],
  providers: [ReadReplicas, ReadPositionsRepository],
})
export class ReadRoutingModule {
  /**
   * The interceptor only where there are replicas: without them it has nothing to do, and one global
   * interceptor puts every request through Nest's RxJS interceptor chain (docs/decisions.md).
   */
  static forConfig(config: AppConfig): DynamicModule {
    return {
      module: ReadRoutingModule,
      providers:
        config.DATABASE_REPLICA_URLS.length > 0
          ? [{ provide: APP_INTERCEPTOR, useClass: ReadRoutingInterceptor }]
          : [],
    };
  }
}
