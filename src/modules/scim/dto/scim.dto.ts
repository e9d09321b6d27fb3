import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

@ApiSchema({ name: 'ScimListQuery', description: 'SCIM list parameters (RFC 7644 §3.4.2).' })
export class ScimListQuery {
  /** `attribute eq "value"` comparisons joined by `and`: `userName eq "ada@acme.com"`. */
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  filter?: string;

  /** 1-based index of the first result. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  startIndex?: number;

  /** Results per page, 0 to 200 (0 answers the total only). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(200)
  count?: number;

  /** `members` leaves a group's members out of the answer, as Entra ID asks. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  excludedAttributes?: string;

  /** Accepted for compatibility; every attribute is returned. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  attributes?: string;
}

@ApiSchema({ name: 'ScimMeta', description: "A SCIM resource's metadata." })
export class ScimMetaDto {
  @ApiProperty({ enum: ['User', 'Group'] })
  resourceType: 'User' | 'Group';
  @ApiProperty({ format: 'date-time' })
  created: string;
  @ApiProperty({ format: 'date-time' })
  lastModified: string;
  /** The resource's path. */
  location: string;
}

@ApiSchema({ name: 'ScimName', description: "A user's name parts." })
export class ScimNameDto {
  givenName?: string;
  familyName?: string;
  formatted?: string;
}

@ApiSchema({ name: 'ScimEmail', description: 'An email address of the user: their userName.' })
export class ScimEmailDto {
  value: string;
  @ApiProperty({ enum: ['work'] })
  type: 'work';
  primary: boolean;
}

@ApiSchema({ name: 'ScimRole', description: "The user's type in the organization: `admin` or `member`." })
export class ScimRoleDto {
  @ApiProperty({ enum: ['admin', 'member'] })
  value: 'admin' | 'member';
  primary: boolean;
}

@ApiSchema({ name: 'ScimUser', description: 'A SCIM User (RFC 7643 §4.1): an internal user of the organization.' })
export class ScimUserDto {
  @ApiProperty({ type: [String], example: ['urn:ietf:params:scim:schemas:core:2.0:User'] })
  schemas: string[];
  id: string;
  /** The identity provider's own id for the user. */
  externalId?: string;
  /** The user's email address. */
  userName: string;
  name: ScimNameDto;
  displayName: string;
  emails: ScimEmailDto[];
  /** False: provisioned but not (or no longer) a member of the organization. */
  active: boolean;
  roles: ScimRoleDto[];
  meta: ScimMetaDto;
}

@ApiSchema({ name: 'ScimGroupMember', description: 'A member of a SCIM Group.' })
export class ScimGroupMemberDto {
  /** The user's id. */
  @ApiProperty({ format: 'uuid' })
  value: string;
  /** The user's email address. */
  display: string;
}

@ApiSchema({ name: 'ScimGroup', description: "A SCIM Group (RFC 7643 §4.2): a group of the organization's users." })
export class ScimGroupDto {
  @ApiProperty({ type: [String], example: ['urn:ietf:params:scim:schemas:core:2.0:Group'] })
  schemas: string[];
  id: string;
  externalId?: string;
  displayName: string;
  /** Left out when `excludedAttributes=members`. */
  members?: ScimGroupMemberDto[];
  meta: ScimMetaDto;
}

@ApiSchema({ name: 'ScimUserList', description: 'A SCIM ListResponse of users.' })
export class ScimUserListDto {
  @ApiProperty({ type: [String], example: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'] })
  schemas: string[];
  totalResults: number;
  startIndex: number;
  itemsPerPage: number;
  Resources: ScimUserDto[];
}

@ApiSchema({ name: 'ScimGroupList', description: 'A SCIM ListResponse of groups.' })
export class ScimGroupListDto {
  @ApiProperty({ type: [String], example: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'] })
  schemas: string[];
  totalResults: number;
  startIndex: number;
  itemsPerPage: number;
  Resources: ScimGroupDto[];
}

@ApiSchema({
  name: 'ScimUserInput',
  description: 'A User as POST and PUT send it; attributes not listed here are accepted and ignored.',
})
export class ScimUserInputDto {
  @ApiPropertyOptional({ type: [String] })
  schemas?: string[];
  /** The user's email address. */
  userName: string;
  externalId?: string;
  name?: ScimNameDto;
  /** Default true; false provisions the user without access. */
  active?: boolean;
  /** `[{ "value": "admin" }]` makes the user an admin; a member otherwise. */
  roles?: ScimRoleDto[];
}

@ApiSchema({ name: 'ScimGroupInput', description: 'A Group as POST and PUT send it.' })
export class ScimGroupInputDto {
  @ApiPropertyOptional({ type: [String] })
  schemas?: string[];
  displayName: string;
  externalId?: string;
  members?: ScimGroupMemberDto[];
}

@ApiSchema({ name: 'ScimPatchOperation', description: 'One operation of a PatchOp (RFC 7644 §3.5.2).' })
export class ScimPatchOperationDto {
  /** `add`, `replace` or `remove`, in any case. */
  @ApiProperty({ example: 'replace' })
  op: string;
  /** `active`, `name.givenName`, `members`, `members[value eq "<id>"]`...; absent: `value` holds attributes. */
  path?: string;
  @ApiPropertyOptional({
    description: 'The new value: a string, boolean, object or list.',
    oneOf: [
      { type: 'string' },
      { type: 'boolean' },
      { type: 'object', additionalProperties: true },
      { type: 'array', items: { type: 'object', additionalProperties: true } },
    ],
    example: false,
  })
  value?: unknown;
}

@ApiSchema({ name: 'ScimPatchOp', description: 'A SCIM PatchOp request.' })
export class ScimPatchOpDto {
  @ApiProperty({ type: [String], example: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'] })
  schemas: string[];
  Operations: ScimPatchOperationDto[];
}

@ApiSchema({ name: 'ScimError', description: 'A SCIM error (RFC 7644 §3.12), with our stable `code`.' })
export class ScimErrorDto {
  @ApiProperty({ type: [String], example: ['urn:ietf:params:scim:api:messages:2.0:Error'] })
  schemas: string[];
  /** The HTTP status, as a string. */
  @ApiProperty({ example: '409' })
  status: string;
  @ApiPropertyOptional({
    enum: ['invalidFilter', 'invalidValue', 'invalidPath', 'uniqueness', 'mutability', 'noTarget'],
  })
  scimType?: string;
  detail: string;
  /** The same code a problem-details answer would carry. */
  code: string;
  /** Resources the user alone administers, when a deprovisioning is refused for them. */
  @ApiPropertyOptional({ type: 'array', items: { type: 'object', additionalProperties: true } })
  soleAdminOf?: object[];
}

@ApiSchema({
  name: 'ScimDiscovery',
  description: 'A SCIM discovery document (ServiceProviderConfig, Schemas or ResourceTypes, RFC 7643 §5-7).',
})
export class ScimDiscoveryDto {
  @ApiProperty({ type: [String] })
  schemas: string[];
}
