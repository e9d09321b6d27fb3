import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { MembershipType, MEMBERSHIP_TYPES } from '../../../policy/vocabulary';

@ApiSchema({ name: 'MembershipOrganization', description: 'An organization the user belongs to.' })
export class MembershipOrganizationDto {
  id: string;
  name: string;
  isWorkforce: boolean;
}

@ApiSchema({ name: 'MyMembership', description: "The signed-in user's membership of one organization." })
export class MyMembershipDto {
  organization: MembershipOrganizationDto;
  @ApiProperty({ enum: MEMBERSHIP_TYPES })
  type: MembershipType;
}
