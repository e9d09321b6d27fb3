import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Page } from '../../common/pagination';
import { RequestPolicy } from '../../policy/current-policy.decorator';
import { AuditService } from '../audit/audit.service';
import { CreateNotificationDto, NotificationDto } from './dto/notification.dto';
import { NotificationRecipient } from './entities/notification-recipient.entity';
import { Notification } from './entities/notification.entity';
import { ProjectNotificationsRepository } from './project-notifications.repository';
import { ResourceInvitations } from './resource-invitations.service';
import { ResourceErrors } from './resources.errors';
import { ResourcesRepository } from './resources.repository';

/** Named rules on a project that send chosen events to recipients, who are invited like collaborators. */
@Injectable()
export class ProjectNotificationsService {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
    private readonly invitations: ResourceInvitations,
    private readonly resources: ResourcesRepository,
    private readonly notifications: ProjectNotificationsRepository,
  ) {}

  list(projectId: string, query: { limit: number; cursor?: string }): Promise<Page<NotificationDto>> {
    return this.notifications.page(this.em, projectId, query);
  }

  async create(
    policy: RequestPolicy,
    projectId: string,
    input: CreateNotificationDto,
  ): Promise<NotificationDto> {
    const actorId = policy.ctx.caller.userId;
    const id = await this.em.transactional(async (em) => {
      // The project's row first, as every write to who holds what on it does (collaborators.service):
      // locking it after the recipients' memberships deadlocked with a concurrent invitation.
      const project = await this.resources.lock(em, 'project', projectId);
      const organizationId = project.organization?.id ?? null;
      const notification = em.create(Notification, {
        project,
        organization: organizationId,
        name: input.name,
        events: input.events,
      });
      const { invited } = await this.invitations.inviteAll(em, {
        kind: 'project',
        resourceId: projectId,
        emails: input.recipientEmails,
        actorId,
        role: 'notification recipient',
      });
      for (const { user } of invited)
        em.create(NotificationRecipient, { notification, user: user.id, organization: organizationId });
      this.audit.record(em, {
        organizationId,
        actorId,
        action: 'notification.created',
        targetType: 'project',
        targetId: projectId,
        data: {
          notificationId: notification.id,
          after: { name: input.name, events: input.events, recipientIds: invited.map((i) => i.user.id) },
        },
      });
      await em.flush();
      return notification.id;
    });
    return this.get(id);
  }

  async remove(policy: RequestPolicy, projectId: string, notificationId: string): Promise<void> {
    await this.em.transactional(async (em) => {
      const notification = await em.findOne(Notification, { id: notificationId, project: projectId });
      if (!notification) throw ResourceErrors.notificationNotFound();
      this.audit.record(em, {
        organizationId: notification.organization?.id ?? null,
        actorId: policy.ctx.caller.userId,
        action: 'notification.deleted',
        targetType: 'project',
        targetId: projectId,
        data: { notificationId, before: { name: notification.name, events: notification.events } },
      });
      em.remove(notification);
      await em.flush();
    });
  }

  private async get(id: string): Promise<NotificationDto> {
    const notification = await this.notifications.find(this.em, id);
    if (!notification) throw ResourceErrors.notificationNotFound();
    return notification;
  }
}
