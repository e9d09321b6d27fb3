import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsObject,
  IsOptional,
  IsUUID,
  ValidateNested,
} from 'class-validator';
import {
  CHECK_ACTIONS,
  CHECK_TARGET_TYPES,
  CheckAction,
  CheckTargetType,
  ORGANIZATION_ACTION_NAMES,
  OrganizationAction,
  RESOURCE_ACTION_NAMES,
  ResourceAction,
} from '../check-vocabulary';

/** At most this many questions in one check. */
export const MAX_CHECKS = 100;

@ApiSchema({ name: 'CheckTarget', description: 'What a question is about: an organization or a resource.' })
export class CheckTargetDto {
  @ApiProperty({ enum: CHECK_TARGET_TYPES })
  @IsIn(CHECK_TARGET_TYPES)
  type: CheckTargetType;

  @IsUUID('all')
  id: string;
}

@ApiSchema({
  name: 'PermissionCheck',
  description:
    'One question: may the subject do this action on this target? The action must be one of the ' +
    "target type's (see GET .../permissions): organization actions on organizations, resource actions on " +
    'projects, datasets and ontologies (`manageLinks`, `manageNotifications` and `tag` on projects only).',
})
export class PermissionCheckDto {
  @ApiProperty({ enum: CHECK_ACTIONS })
  @IsIn(CHECK_ACTIONS)
  action: CheckAction;

  @IsObject()
  @ValidateNested()
  @Type(() => CheckTargetDto)
  resource: CheckTargetDto;
}

@ApiSchema({
  name: 'CheckPermissions',
  description: 'Up to 100 questions, answered in order, about the caller or a user named by `userId`.',
})
export class CheckPermissionsDto {
  /**
   * Ask about this user instead of the caller: for platform admins, and for admins (people or
   * service accounts) of an organization the user belongs to, about that organization's targets only.
   */
  @IsOptional()
  @IsUUID('all')
  userId?: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_CHECKS)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => PermissionCheckDto)
  checks: PermissionCheckDto[];
}

@ApiSchema({ name: 'CheckResult', description: "One question's answer." })
export class CheckResultDto {
  /** False as well for a target that does not exist or that the subject may not know exists. */
  allowed: boolean;
}

@ApiSchema({ name: 'CheckResults', description: 'The answers, in the order of the questions.' })
export class CheckResultsDto {
  results: CheckResultDto[];
}

@ApiSchema({
  name: 'OrganizationPermissions',
  description: "The actions the caller may take on the organization: the dashboard's buttons that will work.",
})
export class OrganizationPermissionsDto {
  @ApiProperty({ enum: ORGANIZATION_ACTION_NAMES, isArray: true })
  actions: OrganizationAction[];
}

@ApiSchema({
  name: 'ResourcePermissions',
  description: 'The actions the caller may take on the resource: the buttons that will work.',
})
export class ResourcePermissionsDto {
  @ApiProperty({ enum: RESOURCE_ACTION_NAMES, isArray: true })
  actions: ResourceAction[];
}
