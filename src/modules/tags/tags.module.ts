import { Module } from '@nestjs/common';
import { ProjectTagsController, TagsController } from './tags.controller';
import { TagsService } from './tags.service';

@Module({ controllers: [TagsController, ProjectTagsController], providers: [TagsService] })
export class TagsModule {}
