import { ApiProperty, ApiPropertyOptional, ApiPropertyOptions, ApiSchema } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { PageOf, PageQuery } from '../../../common/pagination';
import { AUDIT_DATA_SCHEMA } from './audit-data.schema';

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
  /**
   * Who the actor is: a person (`user`), a service account of the organization (`service_account`,
   * acting with an API key), or nobody (`system`, with a null `actorId`). Service accounts are never
   * erased, so an event keeps naming its actor's kind.
   */
  @ApiProperty({ enum: ['user', 'service_account', 'system'] })
  actorKind: 'user' | 'service_account' | 'system';
  /** The kind of thing changed: `user`, `group`, `organization`, `project`... */
  targetType: string;
  @ApiProperty({ type: String, nullable: true })
  targetId: string | null;
  @ApiProperty(AUDIT_DATA_SCHEMA as ApiPropertyOptions)
  data: Record<string, unknown>;
  createdAt: string;
}

/** A time without a zone would be read in the server's zone: refused rather than guessed. */
const WITH_ZONE = /(Z|[+-]\d{2}:\d{2})$/;

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

  /** Keeps events at or after this time: ISO 8601 with a zone, e.g. `2026-11-28T00:00:00Z`. */
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  @Matches(WITH_ZONE, { message: 'since must name its zone (Z or ±hh:mm)' })
  since?: string;

  /** Keeps events before this time (exclusive), ISO 8601 with a zone. */
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  @Matches(WITH_ZONE, { message: 'until must name its zone (Z or ±hh:mm)' })
  until?: string;
}
