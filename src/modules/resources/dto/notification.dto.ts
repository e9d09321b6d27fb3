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

export class NotificationRecipientDto {
  userId: string;
  email: string;
}

export class NotificationDto {
  id: string;
  name: string;
  events: NotificationEvent[];
  recipients: NotificationRecipientDto[];
  createdAt: string;
}

export class NotificationPage extends PageOf(NotificationDto) {}
