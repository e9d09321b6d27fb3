import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { UserDto } from '../../users/dto/user.dto';
import { MyMembershipDto } from '../../membership/dto/my-membership.dto';

@ApiSchema({ name: 'SignupResponse', description: 'The sign-up waiting for its email to be verified.' })
export class SignupResponseDto {
  user: UserDto;
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
