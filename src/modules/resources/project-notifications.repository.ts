import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { deleteRowsOfUser } from '../../common/tenant-rows';
import { CursorElements, keysetCursor, Page } from '../../common/pagination';
import { isoTime } from '../../common/sql';
import { sql } from '../../database/sql';
import { NotificationDto } from './dto/notification.dto';
import { NotificationEvent } from './entities/notification.entity';

interface NotificationRow {
  id: string;
  name: string;
  events: NotificationEvent[];
  created_at: string;
  recipients: { userId: string; email: string }[];
}

const SELECT_NOTIFICATION = `select n.id, n.name, n.events, n.created_at,
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

/** The SQL of project notifications and their recipients. */
@Injectable()
export class ProjectNotificationsRepository {
  async page(
    em: EntityManager,
    projectId: string,
    query: { limit: number; cursor?: string },
  ): Promise<Page<NotificationDto>> {
    const after = NOTIFICATIONS_CURSOR.decode(query.cursor);
    const params: unknown[] = [projectId];
    let keyset = '';
    if (after) {
      keyset = 'and (n.created_at, n.id) > (?::timestamptz, ?::uuid)';
      params.push(after[0], after[1]);
    }
    const rows = await sql<NotificationRow>(
      em,
      `${SELECT_NOTIFICATION} where n.project_id = ? ${keyset} order by n.created_at, n.id ${NOTIFICATIONS_CURSOR.limitSql(query.limit)}`,
      params,
    );
    return NOTIFICATIONS_CURSOR.page(rows, query.limit, (row) => [row.created_at, row.id], toDto);
  }

  async find(em: EntityManager, id: string): Promise<NotificationDto | undefined> {
    const [row] = await sql<NotificationRow>(em, `${SELECT_NOTIFICATION} where n.id = ?`, [id]);
    return row ? toDto(row) : undefined;
  }

  /** Takes the user off every notification of the organization's projects; how many places went. */
  deleteRecipientsOf(em: EntityManager, organizationId: string, userId: string): Promise<number> {
    return deleteRowsOfUser(em, 'notification_recipients', organizationId, userId);
  }
}
