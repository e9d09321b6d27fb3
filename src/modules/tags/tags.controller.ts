import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { PageQuery } from '../../common/pagination';
import { UuidParam } from '../../common/uuid-param';
import { Authorize } from '../../policy/authorize.decorator';
import { CurrentPolicy, RequestPolicy } from '../../policy/current-policy.decorator';
import { DeleteTagQuery, TagRefDto, TagDto, TagNameDto, TagPage, TagProjectDto } from './dto/tag.dto';
import { TagsService } from './tags.service';
import { ApiProblems } from '../../common/api-problems.decorator';
import { QuotaErrorCode } from '../quotas/quotas.errors';
import { TagErrorCode } from './tags.errors';
import { ReadsFromReplica } from '../../database/read-routing';

const ORG = { type: 'organization' } as const;
const PROJECT = { type: 'resource', kind: 'project' } as const;

@ApiTags('tags')
@Controller('organizations/:orgId/tags')
export class TagsController {
  constructor(private readonly tags: TagsService) {}

  /** The organization's project tags, each with its project count (internal users). */
  @Get()
  @Authorize('read', 'Tag', ORG)
  @ReadsFromReplica()
  @ApiOperation({ operationId: 'listTags' })
  list(@UuidParam('orgId') orgId: string, @Query() query: PageQuery): Promise<TagPage> {
    return this.tags.list(orgId, query);
  }

  /** Creates a tag (admins). */
  @Post()
  @Authorize('create', 'Tag', ORG)
  @ApiOperation({ operationId: 'createTag' })
  @ApiProblems(TagErrorCode.TAG_NAME_TAKEN, QuotaErrorCode.QUOTA_EXCEEDED)
  create(
    @UuidParam('orgId') orgId: string,
    @Body() body: TagNameDto,
    @CurrentPolicy() policy: RequestPolicy,
  ): Promise<TagDto> {
    return this.tags.create(policy.ctx.caller.userId, orgId, body.name);
  }

  /** Renames a tag (admins). */
  @Patch(':tagId')
  @Authorize('update', 'Tag', ORG)
  @ApiOperation({ operationId: 'updateTag' })
  @ApiProblems(TagErrorCode.TAG_NAME_TAKEN)
  rename(
    @UuidParam('orgId') orgId: string,
    @UuidParam('tagId') tagId: string,
    @Body() body: TagNameDto,
    @CurrentPolicy() policy: RequestPolicy,
  ): Promise<TagDto> {
    return this.tags.rename(policy.ctx.caller.userId, orgId, tagId, body.name);
  }

  /** Removes a tag (admins); when projects use it, only with `confirm=true`, and then from all of them. */
  @Delete(':tagId')
  @HttpCode(204)
  @Authorize('delete', 'Tag', ORG)
  @ApiOperation({ operationId: 'deleteTag' })
  @ApiProblems(TagErrorCode.TAG_IN_USE)
  async remove(
    @UuidParam('orgId') orgId: string,
    @UuidParam('tagId') tagId: string,
    @Query() query: DeleteTagQuery,
    @CurrentPolicy() policy: RequestPolicy,
  ): Promise<void> {
    await this.tags.remove(policy.ctx.caller.userId, orgId, tagId, query.confirm ?? false);
  }
}

@ApiTags('tags')
@Controller('projects/:id/tags')
export class ProjectTagsController {
  constructor(private readonly tags: TagsService) {}

  /** Puts a tag of the project's organization on the project (internal users who can reach the project). */
  @Post()
  @Authorize('tag', 'Resource', PROJECT)
  @ApiOperation({ operationId: 'tagProject' })
  @ApiProblems(TagErrorCode.TAG_OF_OTHER_ORG)
  tag(
    @UuidParam('id') _id: string,
    @Body() body: TagProjectDto,
    @CurrentPolicy() policy: RequestPolicy,
  ): Promise<TagRefDto> {
    return this.tags.tagProject(policy.ctx.caller.userId, policy.ctx.resource!, body.tagId);
  }

  /** Takes a tag off the project. */
  @Delete(':tagId')
  @HttpCode(204)
  @Authorize('tag', 'Resource', PROJECT)
  @ApiOperation({ operationId: 'untagProject' })
  async untag(
    @UuidParam('id') _id: string,
    @UuidParam('tagId') tagId: string,
    @CurrentPolicy() policy: RequestPolicy,
  ): Promise<void> {
    await this.tags.untagProject(policy.ctx.caller.userId, policy.ctx.resource!, tagId);
  }
}
