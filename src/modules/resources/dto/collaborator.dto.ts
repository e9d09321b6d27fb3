import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsEmail, IsIn, IsUUID, MaxLength } from 'class-validator';
import type { MembershipType } from '../../../policy/vocabulary';
import { ALL_RESOURCE_ROLES, type ResourceRole } from '../../../policy/vocabulary';
import { lowerEach } from './input-transforms';

export class InviteCollaboratorsDto {
  /** Unknown emails become invited users, who keep this role when they sign up. */
  @Transform(lowerEach)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsEmail({}, { each: true })
  @MaxLength(254, { each: true })
  emails: string[];

  /** Projects: admin, team_manager, annotator_reviewer, reviewer, annotator. Datasets and ontologies: admin, user. */
  @IsIn(ALL_RESOURCE_ROLES)
  role: ResourceRole;
}

export class ChangeRoleDto {
  @IsIn(ALL_RESOURCE_ROLES)
  role: ResourceRole;
}

export class AddResourceGroupDto {
  /** A group of the resource's organization. */
  @IsUUID('all')
  groupId: string;

  @IsIn(ALL_RESOURCE_ROLES)
  role: ResourceRole;
}

export class CollaboratorUserDto {
  userId: string;
  email: string;
  name: string;
  /** The direct role; group roles are listed under `groups`. */
  role: ResourceRole;
}

export class CollaboratorRoleDto {
  userId: string;
  role: ResourceRole;
}

export class ResourceGroupDto {
  groupId: string;
  name: string;
  role: ResourceRole;
}

export class CollaboratorsDto {
  users: CollaboratorUserDto[];
  groups: ResourceGroupDto[];
}

export class AddedCollaboratorDto {
  userId: string;
  email: string;
  role: ResourceRole;
  /** The user's type in the resource's organization afterwards; null when the resource has no organization. */
  organizationType: MembershipType | null;
}

export class InviteResultDto {
  added: AddedCollaboratorDto[];
}

export class JoinResultDto {
  role: 'admin';
}
