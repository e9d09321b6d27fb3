import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Tag } from './entities/tag.entity';
import { ProjectTag } from './entities/project-tag.entity';
import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { QuotasModule } from '../quotas/quotas.module';
import { ProjectTagsController, TagsController } from './tags.controller';
import { TagsRepository } from './tags.repository';
import { TagsService } from './tags.service';

@Module({
  imports: [AuditModule, QuotasModule, MikroOrmModule.forFeature([Tag, ProjectTag])],
  controllers: [TagsController, ProjectTagsController],
  providers: [TagsService, TagsRepository],
  exports: [TagsService],
})
export class TagsModule {}
