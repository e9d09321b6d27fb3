import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { PageOf } from '../../../common/pagination';
import { MEMBERSHIP_TYPES, MembershipType } from '../../../policy/vocabulary';

@ApiSchema({
  name: 'Invitation',
  description:
    'A pending invitation: a person without an account, given a type in the organization (and the ' +
    'rights that came with it) until they sign up or it expires.',
})
export class InvitationDto {
  id: string;
  /** The invited address. */
  email: string;
  /** Their type in the organization once they sign up. */
  @ApiProperty({ enum: [...MEMBERSHIP_TYPES] })
  type: MembershipType;
  /** The id of the user who invited them last; null when unknown (invitations older than this record). */
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  invitedBy: string | null;
  createdAt: string;
  /** Signing up after this grants nothing; resending renews it. */
  expiresAt: string;
}

@ApiSchema({ name: 'InvitationPage', description: 'A page of pending invitations, newest first.' })
export class InvitationPage extends PageOf(InvitationDto) {}
