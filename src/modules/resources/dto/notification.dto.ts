import { ApiSchema } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsEmail,
  IsIn,
  IsString,
  MaxLength,
  MinLength,
} from 'class-validator';
import { PageOf } from '../../../common/pagination';
import { NOTIFICATION_EVENTS, type NotificationEvent } from '../entities/notification.entity';
import { lowerEach, trim } from './input-transforms';

@ApiSchema({
  name: 'CreateNotification',
  description: 'A notification of a project: its event and recipients.',
})
export class CreateNotificationDto {
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  /** task.submitted, task.reviewed, task.rejected, project.completed. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(NOTIFICATION_EVENTS.length)
  @ArrayUnique()
  @IsIn(NOTIFICATION_EVENTS, { each: true })
  events: NotificationEvent[];

  /** Unknown emails become invited users; people outside the organization get a workforce or external membership. */
  @Transform(lowerEach)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsEmail({}, { each: true })
  @MaxLength(254, { each: true })
  recipientEmails: string[];
}

@ApiSchema({ name: 'NotificationRecipient', description: 'A user who receives a notification.' })
export class NotificationRecipientDto {
  userId: string;
  email: string;
}

@ApiSchema({ name: 'Notification', description: 'A notification of a project and its recipients.' })
export class NotificationDto {
  id: string;
  name: string;
  events: NotificationEvent[];
  recipients: NotificationRecipientDto[];
  createdAt: string;
}

@ApiSchema({ name: 'NotificationPage', description: 'A page of notifications.' })
export class NotificationPage extends PageOf(NotificationDto) {}
