import { EntityManager, LockMode } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { CursorElements, keysetCursor, Page } from '../../common/pagination';
import { isoTime } from '../../common/sql';
import { RequestPolicy } from '../../policy/current-policy.decorator';
import { AuditService } from '../audit/audit.service';
import { CreateNotificationDto, NotificationDto } from './dto/notification.dto';
import { NotificationRecipient } from './entities/notification-recipient.entity';
import { Notification, NotificationEvent } from './entities/notification.entity';
import { Resource } from './entities/resource.entity';
import { ResourceInvitations } from './resource-invitations.service';
import { ResourceErrors } from './resources.errors';

interface NotificationRow {
  id: string;
  name: string;
  events: NotificationEvent[];
  created_at: string;
  recipients: { userId: string; email: string }[];
}

const SELECT = `select n.id, n.name, n.events, n.created_at,
  coalesce((select json_agg(json_build_object('userId', u.id, 'email', u.email) order by u.email)
              from notification_recipients nr join users u on u.id = nr.user_id
             where nr.notification_id = n.id), '[]'::json) as recipients
  from notifications n`;

/** Notifications by (created_at as PostgreSQL prints it, id). */
const NOTIFICATIONS_CURSOR = keysetCursor(CursorElements.timestamp, CursorElements.uuid);

const toDto = (row: NotificationRow): NotificationDto => ({
  id: row.id,
  name: row.name,
  events: row.events,
  recipients: row.recipients,
  createdAt: isoTime(row.created_at),
});

/** Named rules on a project that send chosen events to recipients, who are invited like collaborators. */
@Injectable()
export class ProjectNotificationsService {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
    private readonly invitations: ResourceInvitations,
  ) {}

  async list(projectId: string, query: { limit: number; cursor?: string }): Promise<Page<NotificationDto>> {
    const after = NOTIFICATIONS_CURSOR.decode(query.cursor);
    const params: unknown[] = [projectId];
    let keyset = '';
    if (after) {
      keyset = 'and (n.created_at, n.id) > (?::timestamptz, ?::uuid)';
      params.push(after[0], after[1]);
    }
    const rows = await this.em
      .getConnection()
      .execute<NotificationRow[]>(
        `${SELECT} where n.project_id = ? ${keyset} order by n.created_at, n.id limit ?`,
        [...params, query.limit + 1],
      );
    return NOTIFICATIONS_CURSOR.page(rows, query.limit, (row) => [row.created_at, row.id], toDto);
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
      const project = await em.findOne(
        Resource,
        { id: projectId, kind: 'project' },
        { lockMode: LockMode.PESSIMISTIC_WRITE },
      );
      if (!project) throw ResourceErrors.notFound('project');
      const organizationId = project.organization?.id ?? null;
      const notification = em.create(Notification, {
        project,
        organization: organizationId,
        name: input.name,
        events: input.events,
      });
      const invited = await this.invitations.inviteAll(em, {
        organizationId,
        emails: input.recipientEmails,
        actorId,
        via: { targetType: 'project', targetId: projectId },
      });
      for (const { user } of invited)
        em.create(NotificationRecipient, { notification, user, organization: organizationId });
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
    const [row] = await this.em.getConnection().execute<NotificationRow[]>(`${SELECT} where n.id = ?`, [id]);
    return toDto(row);
  }
}
