import { ApiProperty } from '@nestjs/swagger';
import { UserDto } from '../../users/dto/user.dto';
import { MyMembershipDto } from '../../membership/dto/my-membership.dto';

export class SignupResponseDto {
  user: UserDto;
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
