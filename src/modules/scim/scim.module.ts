import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { GroupsModule } from '../groups/groups.module';
import { MembershipModule } from '../membership/membership.module';
import { UsersModule } from '../users/users.module';
import { ScimGroup } from './entities/scim-group.entity';
import { ScimUser } from './entities/scim-user.entity';
import { SCIM_MEDIA_TYPE } from './scim-errors.filter';
import { ScimController } from './scim.controller';
import { ScimRepository } from './scim.repository';
import { ScimService } from './scim.service';

@Module({
  imports: [MikroOrmModule.forFeature([ScimUser, ScimGroup]), MembershipModule, GroupsModule, UsersModule],
  controllers: [ScimController],
  providers: [ScimService, ScimRepository],
})
export class ScimModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /** SCIM clients send `application/scim+json`: JSON, read by Fastify's own (prototype-safe) JSON parser. */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    if (!fastify.hasContentTypeParser(SCIM_MEDIA_TYPE)) {
      fastify.addContentTypeParser(SCIM_MEDIA_TYPE, { parseAs: 'string' }, fastify.getDefaultJsonParser('error', 'error'));
    }
  }
}
