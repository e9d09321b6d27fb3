import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { PageOf, PageQuery } from '../../../common/pagination';

@ApiSchema({
  name: 'AuditEvent',
  description: 'One recorded change: who did what to which object, with the changed fields.',
})
export class AuditEventDto {
  id: string;
  /** What happened, e.g. `membership.added`, `group.deleted`. */
  action: string;
  /** Who did it; null for the system. */
  @ApiProperty({ type: String, nullable: true })
  actorId: string | null;
  /** The kind of thing changed: `user`, `group`, `organization`, `project`... */
  targetType: string;
  @ApiProperty({ type: String, nullable: true })
  targetId: string | null;
  /**
   * Details, with `before` and `after` where something was changed (for resources, only the fields that
   * changed). Strings over 1,000 characters and JSON documents over 2 KiB appear as
   * `{ "$omitted": { "bytes", "sha256" } }`.
   */
  @ApiProperty({ type: 'object', additionalProperties: true })
  data: Record<string, unknown>;
  createdAt: string;
}

@ApiSchema({ name: 'AuditEventPage', description: 'A page of audit events, newest first.' })
export class AuditEventPage extends PageOf(AuditEventDto) {}

export class AuditEventsQuery extends PageQuery {
  /** Keeps one action, e.g. `membership.removed`. */
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  action?: string;

  /** Keeps what one user did. */
  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  actorId?: string;
}
