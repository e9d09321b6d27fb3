import { Entity, ManyToOne, Ref, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../../database/base.entity';
import { Organization } from '../../organizations/entities/organization.entity';
import { User } from '../../users/entities/user.entity';
import { Notification } from './notification.entity';

@Entity({ tableName: 'notification_recipients' })
@Unique({ name: 'notification_recipients_unique', properties: ['notification', 'user'] })
export class NotificationRecipient extends BaseEntity {
  @ManyToOne({ entity: () => Notification, ref: true, deleteRule: 'cascade' })
  notification: Ref<Notification>;

  @ManyToOne({ entity: () => User, ref: true, deleteRule: 'cascade', index: true })
  user: Ref<User>;

  /** Tenant key, the notification's organization: a recipient of an organization's project is one of its users. */
  @ManyToOne({ entity: () => Organization, ref: true, nullable: true, deleteRule: 'cascade', index: true })
  organization: Ref<Organization> | null = null;
}
