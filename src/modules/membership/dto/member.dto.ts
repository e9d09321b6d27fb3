import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { PageOf } from '../../../common/pagination';
import { RESOURCE_KINDS, ResourceKind } from '../../../policy/vocabulary';
import { UserStatus } from '../../users/entities/user.entity';
import { MEMBERSHIP_TYPES, MembershipType } from '../../../policy/vocabulary';

/** A user of the organization, with their type in it. */
@ApiSchema({ name: 'Member', description: 'A user of the organization, with their type there.' })
export class MemberDto {
  userId: string;
  email: string;
  /** Empty for invited users who have not signed up yet. */
  name: string;
  @ApiProperty({ enum: MEMBERSHIP_TYPES })
  type: MembershipType;
  /** `invited`: added by email, never signed up nor signed in through an identity provider. */
  @ApiProperty({ enum: ['active', 'invited'] })
  status: UserStatus;
  /** A service account of the organization (a machine signing in with API keys), not a person. */
  isServiceAccount: boolean;
  /** When the user got their membership of this organization. */
  joinedAt: string;
  /** Workforce and external users: when their access ends (null: never). */
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  expiresAt: string | null;
}

@ApiSchema({ name: 'MemberPage', description: 'A page of organization users.' })
export class MemberPage extends PageOf(MemberDto) {}

/** A resource of the organization whose only admin is the user about to be removed. */
@ApiSchema({
  name: 'SoleAdminResource',
  description: 'A resource of the organization whose only admin is the user about to be removed.',
})
export class SoleAdminResourceDto {
  @ApiProperty({ enum: RESOURCE_KINDS })
  resourceType: ResourceKind;
  id: string;
  title: string;
}

@ApiSchema({
  name: 'RemovalPreview',
  description: 'What removing a user from the organization would need: replacement admins.',
})
export class RemovalPreviewDto {
  /** Resources that need a replacement admin (`replacementUserId`) before the user can be removed. */
  soleAdminOf: SoleAdminResourceDto[];
}
