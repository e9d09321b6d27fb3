import { Body, Controller, Delete, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { PageQuery } from '../../common/pagination';
import { UuidParam } from '../../common/uuid-param';
import { Authorize } from '../../policy/authorize.decorator';
import { CurrentPolicy, RequestPolicy } from '../../policy/current-policy.decorator';
import { CreateNotificationDto, NotificationDto, NotificationPage } from './dto/notification.dto';
import { ProjectNotificationsService } from './project-notifications.service';
import { ApiProblems } from '../../common/api-problems.decorator';
import { MembershipErrorCode } from '../membership/membership.errors';
import { ReadsFromReplica } from '../../database/read-routing';

const PROJECT = { type: 'resource', kind: 'project' } as const;

@ApiTags('projects')
@Controller('projects')
export class ProjectNotificationsController {
  constructor(private readonly notifications: ProjectNotificationsService) {}

  /** The project's notification rules, oldest first. */
  @Get(':id/notifications')
  @Authorize('manageNotifications', 'Resource', PROJECT)
  @ReadsFromReplica()
  @ApiOperation({ operationId: 'listProjectNotifications' })
  list(@UuidParam('id') id: string, @Query() query: PageQuery): Promise<NotificationPage> {
    return this.notifications.list(id, query);
  }

  /** Recipients are invited like collaborators: unknown emails become invited users, outsiders get a membership. */
  @Post(':id/notifications')
  @Authorize('manageNotifications', 'Resource', PROJECT)
  @ApiOperation({ operationId: 'createProjectNotification' })
  @ApiProblems(MembershipErrorCode.NOT_ORG_MEMBER, MembershipErrorCode.SERVICE_ACCOUNT_OUTSIDE_ORGANIZATION)
  create(
    @UuidParam('id') id: string,
    @Body() body: CreateNotificationDto,
    @CurrentPolicy() policy: RequestPolicy,
  ): Promise<NotificationDto> {
    return this.notifications.create(policy, id, body);
  }

  /** Stops the rule; its recipients keep their memberships. */
  @Delete(':id/notifications/:notificationId')
  @HttpCode(204)
  @Authorize('manageNotifications', 'Resource', PROJECT)
  @ApiOperation({ operationId: 'deleteProjectNotification' })
  async remove(
    @UuidParam('id') id: string,
    @UuidParam('notificationId') notificationId: string,
    @CurrentPolicy() policy: RequestPolicy,
  ): Promise<void> {
    await this.notifications.remove(policy, id, notificationId);
  }
}
