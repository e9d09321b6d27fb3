import { ApiProperty } from '@nestjs/swagger';
import { MembershipType, MEMBERSHIP_TYPES } from '../../../policy/vocabulary';

export class MembershipOrganizationDto {
  id: string;
  name: string;
  isWorkforce: boolean;
}

export class MyMembershipDto {
  organization: MembershipOrganizationDto;
  @ApiProperty({ enum: MEMBERSHIP_TYPES })
  type: MembershipType;
}
