import { applyDecorators } from '@nestjs/common';
import { ExpiresAtField } from '../../../common/expiry';
import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsEmail, IsIn, IsUUID, MaxLength } from 'class-validator';
import type { MembershipType } from '../../../policy/vocabulary';
import {
  MEMBERSHIP_TYPES,
  ResourceKind,
  ResourceRole,
  RoleOf,
  ROLES_BY_KIND,
} from '../../../policy/vocabulary';
import { kindLabel } from '../resources.errors';
import { lowerEach } from './input-transforms';

/** The bodies and answers of collaborators and group roles, as the service sees them for any kind. */
export interface InviteCollaborators {
  emails: string[];
  role: ResourceRole;
  expiresAt?: string;
}
export interface ChangeRole {
  role: ResourceRole;
  expiresAt?: string | null;
}
export interface AddResourceGroup {
  groupId: string;
  role: ResourceRole;
}
export interface CollaboratorUser {
  userId: string;
  email: string;
  name: string;
  role: ResourceRole;
  expiresAt: string | null;
}
export interface CollaboratorRole {
  userId: string;
  role: ResourceRole;
}
export interface ResourceGroupRole {
  groupId: string;
  name: string;
  role: ResourceRole;
}
export interface Collaborators {
  users: CollaboratorUser[];
  groups: ResourceGroupRole[];
}
export interface AddedCollaborator {
  userId: string;
  email: string;
  role: ResourceRole;
  organizationType: MembershipType | null;
}
export interface InviteResult {
  added: AddedCollaborator[];
}

/**
 * A role of one kind: validated against that kind's roles, and published as that kind's named enum
 * (`ProjectRole`, `DatasetRole`, `OntologyRole`), so that a generated client refuses a dataset role
 * on a project at compile time.
 */
export function RoleProperty(kind: ResourceKind, description?: string) {
  const roles = ROLES_BY_KIND[kind];
  return applyDecorators(
    IsIn(roles),
    ApiProperty({
      enum: roles,
      enumName: `${kindLabel(kind)}Role`,
      enumSchema: { description: `A role on a ${kind}, strongest first.` },
      ...(description ? { description } : {}),
    }),
  );
}

/**
 * The caller's effective role on a resource of this kind, null when they hold none. Inline rather
 * than a reference to the named enum: OpenAPI 3.0 cannot make a referenced enum nullable.
 */
export function MyRoleProperty(kind: ResourceKind, description: string) {
  return ApiProperty({ enum: [...ROLES_BY_KIND[kind], null], nullable: true, type: String, description });
}

/**
 * The classes of the collaborator and group-role bodies and answers of one kind. Projects, datasets
 * and ontologies share the shapes and differ only by their roles, so one function makes them per
 * kind: `InviteProjectCollaborators` takes a `ProjectRole`, `InviteDatasetCollaborators` a `DatasetRole`.
 */
export function collaboratorDtos<K extends ResourceKind>(kind: K) {
  const Kind = kindLabel(kind);
  const roles = ROLES_BY_KIND[kind].join(', ');

  @ApiSchema({
    name: `Invite${Kind}Collaborators`,
    description: `People to give a role on a ${kind}, by email.`,
  })
  class InviteKindCollaborators implements InviteCollaborators {
    @ApiProperty({
      description: 'Unknown emails become invited users, who keep this role when they sign up.',
      type: [String],
      format: 'email',
      minItems: 1,
      maxItems: 100,
      example: ['ada@example.com'],
    })
    @Transform(lowerEach)
    @IsArray()
    @ArrayMinSize(1)
    @ArrayMaxSize(100)
    @IsEmail({}, { each: true })
    @MaxLength(254, { each: true })
    emails: string[];

    @RoleProperty(kind, `One of ${roles}.`)
    role: RoleOf<K>;

    /** When the role ends, for each of them (their existing roles here included). */
    @ExpiresAtField()
    expiresAt?: string;
  }

  @ApiSchema({
    name: `Change${Kind}CollaboratorRole`,
    description: `A ${kind} collaborator's new role, and when it ends.`,
  })
  class ChangeKindCollaboratorRole implements ChangeRole {
    @RoleProperty(kind)
    role: RoleOf<K>;

    /** When the role ends; null: never; absent: unchanged. */
    @ExpiresAtField({ nullable: true })
    expiresAt?: string | null;
  }

  @ApiSchema({ name: `Add${Kind}Group`, description: `A group to give a role on a ${kind}.` })
  class AddKindGroup implements AddResourceGroup {
    @ApiProperty({ description: `A group of the ${kind}'s organization.`, format: 'uuid' })
    @IsUUID('all')
    groupId: string;

    @RoleProperty(kind)
    role: RoleOf<K>;
  }

  @ApiSchema({ name: `${Kind}Collaborator`, description: `A person with a direct role on a ${kind}.` })
  class KindCollaborator implements CollaboratorUser {
    @ApiProperty({ format: 'uuid' })
    userId: string;
    @ApiProperty()
    email: string;
    @ApiProperty()
    name: string;
    @RoleProperty(kind, 'The direct role; group roles are listed under `groups`.')
    role: RoleOf<K>;
    /** When the role ends (null: never); one in the past is already powerless and about to be removed. */
    @ApiProperty({ type: String, format: 'date-time', nullable: true })
    expiresAt: string | null;
  }

  @ApiSchema({ name: `${Kind}CollaboratorRole`, description: `A collaborator's role on a ${kind}.` })
  class KindCollaboratorRole implements CollaboratorRole {
    @ApiProperty({ format: 'uuid' })
    userId: string;
    @RoleProperty(kind)
    role: RoleOf<K>;
  }

  @ApiSchema({ name: `${Kind}GroupRole`, description: `A group with a role on a ${kind}.` })
  class KindGroupRole implements ResourceGroupRole {
    @ApiProperty({ format: 'uuid' })
    groupId: string;
    @ApiProperty()
    name: string;
    @RoleProperty(kind)
    role: RoleOf<K>;
  }

  @ApiSchema({ name: `${Kind}Collaborators`, description: `The people and groups with a role on a ${kind}.` })
  class KindCollaborators implements Collaborators {
    @ApiProperty({ type: [KindCollaborator] })
    users: KindCollaborator[];
    @ApiProperty({ type: [KindGroupRole] })
    groups: KindGroupRole[];
  }

  @ApiSchema({
    name: `Added${Kind}Collaborator`,
    description: `A person given a role on a ${kind} by an invitation, and how they joined the organization.`,
  })
  class AddedKindCollaborator implements AddedCollaborator {
    @ApiProperty({ format: 'uuid' })
    userId: string;
    @ApiProperty()
    email: string;
    @RoleProperty(kind)
    role: RoleOf<K>;
    @ApiProperty({
      enum: [...MEMBERSHIP_TYPES],
      nullable: true,
      description:
        "The user's type in the resource's organization afterwards; null when the resource has no organization.",
    })
    organizationType: MembershipType | null;
  }

  @ApiSchema({
    name: `Invite${Kind}CollaboratorsResult`,
    description: `The people an invitation gave a role on a ${kind} to.`,
  })
  class InviteKindCollaboratorsResult implements InviteResult {
    @ApiProperty({ type: [AddedKindCollaborator] })
    added: AddedKindCollaborator[];
  }

  return {
    InviteCollaborators: InviteKindCollaborators,
    ChangeRole: ChangeKindCollaboratorRole,
    AddGroup: AddKindGroup,
    Collaborators: KindCollaborators,
    CollaboratorRole: KindCollaboratorRole,
    GroupRole: KindGroupRole,
    InviteResult: InviteKindCollaboratorsResult,
  };
}

export type CollaboratorDtos = ReturnType<typeof collaboratorDtos>;

@ApiSchema({ name: 'JoinResult', description: 'The role an organization admin took by joining a resource.' })
export class JoinResultDto {
  /** Joining always makes the organization admin an admin of the resource. */
  @ApiProperty({ enum: ['admin'] })
  role: 'admin';
}
