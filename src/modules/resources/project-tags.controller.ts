import { Body, Controller, Delete, HttpCode, Post } from '@nestjs/common';
import { ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { UuidParam } from '../../common/uuid-param';
import { Authorize } from '../../policy/authorize.decorator';
import { CurrentPolicy, RequestPolicy } from '../../policy/current-policy.decorator';
import { AddProjectTagDto } from './dto/project-tag.dto';
import { TagRefDto } from './dto/resource.dto';
import { ProjectTagsService } from './project-tags.service';

const PROJECT = { type: 'resource', kind: 'project' } as const;

/** Any internal user of the project's organization who can reach the project tags it, organization admins included. */
@ApiTags('projects')
@Controller('projects')
export class ProjectTagsController {
  constructor(private readonly tags: ProjectTagsService) {}

  /** Puts one of the organization's tags on the project; 422 TAG_OF_OTHER_ORG for any other tag. */
  @Post(':id/tags')
  @Authorize('tag', 'Resource', PROJECT)
  @ApiUnprocessableEntityResponse({ description: 'TAG_OF_OTHER_ORG' })
  add(
    @UuidParam('id') id: string,
    @Body() body: AddProjectTagDto,
    @CurrentPolicy() policy: RequestPolicy,
  ): Promise<TagRefDto> {
    return this.tags.add(policy, id, body.tagId);
  }

  /** Takes the tag off the project; the tag itself stays. */
  @Delete(':id/tags/:tagId')
  @HttpCode(204)
  @Authorize('tag', 'Resource', PROJECT)
  async remove(
    @UuidParam('id') id: string,
    @UuidParam('tagId') tagId: string,
    @CurrentPolicy() policy: RequestPolicy,
  ): Promise<void> {
    await this.tags.remove(policy, id, tagId);
  }
}
