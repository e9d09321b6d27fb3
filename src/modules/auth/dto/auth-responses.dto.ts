import { UserDto } from '../../users/dto/user.dto';
import { MembershipType, MEMBERSHIP_TYPES } from '../../../policy/vocabulary';
import { ApiProperty } from '@nestjs/swagger';

export class SignupResponseDto {
  user: UserDto;
}

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

export class VerifyEmailResponseDto {
  user: UserDto;
  memberships: MyMembershipDto[];
}

export class TokenResponseDto {
  accessToken: string;
  @ApiProperty({ enum: ['Bearer'] })
  tokenType: 'Bearer';
  /** Seconds until the token expires. */
  expiresIn: number;
}

export class MeDto {
  id: string;
  email: string;
  name: string;
  isPlatformAdmin: boolean;
  memberships: MyMembershipDto[];
}
