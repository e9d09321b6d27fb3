import { Entity, ManyToOne, Ref, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../../database/base.entity';
import { User } from '../../users/entities/user.entity';
import { Notification } from './notification.entity';

@Entity({ tableName: 'notification_recipients' })
@Unique({ name: 'notification_recipients_unique', properties: ['notification', 'user'] })
export class NotificationRecipient extends BaseEntity {
  @ManyToOne({ entity: () => Notification, ref: true, deleteRule: 'cascade' })
  notification: Ref<Notification>;

  @ManyToOne({ entity: () => User, ref: true, deleteRule: 'cascade', index: true })
  user: Ref<User>;
}
