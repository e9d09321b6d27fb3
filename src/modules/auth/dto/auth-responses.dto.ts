import { UserDto } from '../../users/dto/user.dto';
import { MembershipType, MEMBERSHIP_TYPES } from '../../../policy/vocabulary';
import { ApiProperty, ApiSchema } from '@nestjs/swagger';

@ApiSchema({ name: 'SignupResponse', description: 'The sign-up waiting for its email to be verified.' })
export class SignupResponseDto {
  user: UserDto;
}

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

@ApiSchema({
  name: 'VerifyEmailResponse',
  description: 'The verified account, and the organization it joined through its email domain, if any.',
})
export class VerifyEmailResponseDto {
  user: UserDto;
  memberships: MyMembershipDto[];
}

@ApiSchema({ name: 'TokenResponse', description: 'A bearer access token.' })
export class TokenResponseDto {
  accessToken: string;
  @ApiProperty({ enum: ['Bearer'] })
  tokenType: 'Bearer';
  /** Seconds until the token expires. */
  expiresIn: number;
}

@ApiSchema({ name: 'Me', description: 'The signed-in user, with their organizations.' })
export class MeDto {
  id: string;
  email: string;
  name: string;
  isPlatformAdmin: boolean;
  memberships: MyMembershipDto[];
}
