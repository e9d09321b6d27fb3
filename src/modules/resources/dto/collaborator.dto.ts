import { ExpiresAtField } from '../../../common/expiry';
import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsEmail, IsIn, IsUUID, MaxLength } from 'class-validator';
import type { MembershipType } from '../../../policy/vocabulary';
import { ALL_RESOURCE_ROLES, type ResourceRole } from '../../../policy/vocabulary';
import { lowerEach } from './input-transforms';

@ApiSchema({ name: 'InviteCollaborators', description: 'People to give a role on a resource, by email.' })
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

  /** When the role ends, for each of them (their existing roles here included). */
  @ExpiresAtField()
  expiresAt?: string;
}

@ApiSchema({ name: 'ChangeRole', description: "A collaborator's new role, and when it ends." })
export class ChangeRoleDto {
  @IsIn(ALL_RESOURCE_ROLES)
  role: ResourceRole;

  /** When the role ends; null: never; absent: unchanged. */
  @ExpiresAtField({ nullable: true })
  expiresAt?: string | null;
}

@ApiSchema({ name: 'AddResourceGroup', description: 'A group to give a role on a resource.' })
export class AddResourceGroupDto {
  /** A group of the resource's organization. */
  @IsUUID('all')
  groupId: string;

  @IsIn(ALL_RESOURCE_ROLES)
  role: ResourceRole;
}

@ApiSchema({ name: 'CollaboratorUser', description: 'A person with a direct role on a resource.' })
export class CollaboratorUserDto {
  userId: string;
  email: string;
  name: string;
  /** The direct role; group roles are listed under `groups`. */
  role: ResourceRole;
  /** When the role ends (null: never); one in the past is already powerless and about to be removed. */
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  expiresAt: string | null;
}

@ApiSchema({ name: 'CollaboratorRole', description: "A collaborator's role on a resource." })
export class CollaboratorRoleDto {
  userId: string;
  role: ResourceRole;
}

@ApiSchema({ name: 'ResourceGroup', description: 'A group with a role on a resource.' })
export class ResourceGroupDto {
  groupId: string;
  name: string;
  role: ResourceRole;
}

@ApiSchema({ name: 'Collaborators', description: 'The people and groups with a role on a resource.' })
export class CollaboratorsDto {
  users: CollaboratorUserDto[];
  groups: ResourceGroupDto[];
}

@ApiSchema({
  name: 'AddedCollaborator',
  description: 'A person given a role by an invitation, and how they joined the organization.',
})
export class AddedCollaboratorDto {
  userId: string;
  email: string;
  role: ResourceRole;
  /** The user's type in the resource's organization afterwards; null when the resource has no organization. */
  organizationType: MembershipType | null;
}

@ApiSchema({ name: 'InviteResult', description: 'The people an invitation gave a role to.' })
export class InviteResultDto {
  added: AddedCollaboratorDto[];
}

@ApiSchema({ name: 'JoinResult', description: 'The role an organization admin took by joining a resource.' })
export class JoinResultDto {
  /** Joining always makes the organization admin an admin of the resource. */
  @ApiProperty({ enum: ['admin'] })
  role: 'admin';
}
