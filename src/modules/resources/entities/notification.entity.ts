import { Entity, ManyToOne, Property, Ref } from '@mikro-orm/core';
import { BaseEntity } from '../../../database/base.entity';
import { Organization } from '../../organizations/entities/organization.entity';
import { Resource } from './resource.entity';

export const NOTIFICATION_EVENTS = [
  'task.submitted',
  'task.reviewed',
  'task.rejected',
  'project.completed',
] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

@Entity({ tableName: 'notifications' })
export class Notification extends BaseEntity {
  @ManyToOne({ entity: () => Resource, ref: true, deleteRule: 'cascade', index: true })
  project: Ref<Resource>;

  @ManyToOne({ entity: () => Organization, ref: true, nullable: true, deleteRule: 'cascade', index: true })
  organization: Ref<Organization> | null = null;

  @Property({ type: 'text' })
  name: string;

  @Property({ type: 'text[]' })
  events: NotificationEvent[];
}
