import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { PageOf } from '../../../common/pagination';
import { INTERNAL_TYPES } from '../../../policy/vocabulary';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** A time without a zone would be read in the server's zone: refused rather than guessed. */
const WITH_ZONE = /(Z|[+-]\d{2}:\d{2})$/;

export type ServiceAccountType = 'admin' | 'member';

@ApiSchema({
  name: 'ServiceAccount',
  description: 'A machine user of one organization: it signs in with API keys only, never with a password.',
})
export class ServiceAccountDto {
  id: string;
  name: string;
  /**
   * Its address in the organization's user lists, never mailed (`.invalid`): invite it as a
   * collaborator of the organization's resources with it, like any user.
   */
  email: string;
  /** Its type in its organization; change it like any member's (PATCH /organizations/{orgId}/members/{userId}). */
  @ApiProperty({ enum: INTERNAL_TYPES })
  type: ServiceAccountType;
  /** A disabled account's keys are refused until it is enabled again. */
  disabled: boolean;
  createdAt: string;
}

@ApiSchema({
  name: 'ServiceAccountPage',
  description: "A page of an organization's service accounts, oldest first.",
})
export class ServiceAccountPage extends PageOf(ServiceAccountDto) {}

@ApiSchema({ name: 'CreateServiceAccount', description: 'A new service account: its name and type.' })
export class CreateServiceAccountDto {
  /** Trimmed, 1 to 100 characters. */
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name: string;

  @ApiProperty({ enum: INTERNAL_TYPES })
  @IsIn(INTERNAL_TYPES)
  type: ServiceAccountType;
}

@ApiSchema({ name: 'UpdateServiceAccount', description: "A service account's new name, or its disabling." })
export class UpdateServiceAccountDto {
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name?: string;

  /** `true` refuses its keys at once (and ends the access tokens they were traded for); `false` brings the keys back. */
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;
}

export class DeleteServiceAccountQuery {
  /**
   * An internal user of the organization who becomes admin of every resource the service account is
   * the only admin of: required when there are such resources, as for removing a member.
   */
  @IsOptional()
  @IsString()
  @IsUUID()
  replacementUserId?: string;
}

@ApiSchema({ name: 'ApiKey', description: "A service account's API key, without its secret." })
export class ApiKeyDto {
  id: string;
  name: string;
  /** The key's public beginning (`oak_` and its id), to recognise it: the secret is never shown again. */
  prefix: string;
  createdAt: string;
  /** To the minute; null when never used. */
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastUsedAt: string | null;
  /** Null: the key does not expire. */
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  expiresAt: string | null;
}

@ApiSchema({ name: 'ApiKeyPage', description: "A page of a service account's API keys, oldest first." })
export class ApiKeyPage extends PageOf(ApiKeyDto) {}

@ApiSchema({ name: 'CreatedApiKey', description: 'A new API key, with its secret: shown this once only.' })
export class CreatedApiKeyDto extends ApiKeyDto {
  /** `oak_...`: send it as `Authorization: Bearer <secret>`. Stored only as a hash: keep it now. */
  secret: string;
}

@ApiSchema({ name: 'CreateApiKey', description: 'A new API key: its name and, optionally, when it expires.' })
export class CreateApiKeyDto {
  /** Trimmed, 1 to 100 characters, e.g. where the key is deployed. */
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name: string;

  /** ISO 8601 with a zone, in the future; the key is refused from that instant on. Omitted: no expiry. */
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  @Matches(WITH_ZONE, { message: 'expiresAt must name its zone (Z or ±hh:mm)' })
  expiresAt?: string;
}
