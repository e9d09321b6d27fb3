import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { ReadPosition } from './entities/read-position.entity';
import { ReadPositionsRepository } from './read-positions.repository';
import { ReadReplicas } from './read-replicas';
import { ReadRoutingInterceptor } from './read-routing.interceptor';

/** Read replicas and read-your-writes (`DATABASE_REPLICA_URLS`); see read-routing.interceptor.ts. */
@Module({
  imports: [MikroOrmModule.forFeature([ReadPosition])],
  providers: [
    ReadReplicas,
    ReadPositionsRepository,
    { provide: APP_INTERCEPTOR, useClass: ReadRoutingInterceptor },
  ],
})
export class ReadRoutingModule {}
