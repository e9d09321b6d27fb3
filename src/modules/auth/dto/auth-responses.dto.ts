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

@ApiSchema({
  name: 'TokenResponse',
  description: 'A bearer access token, and the refresh token that gets the next one (`POST /auth/refresh`).',
})
export class TokenResponseDto {
  /** For `Authorization: Bearer`; it ends at `expiresIn`, at logout, or when the password changes. */
  accessToken: string;
  /**
   * Opaque, single use: refreshing answers a new one and spends this one. A spent token presented
   * again ends the whole session. Keep it as secret as a password.
   */
  @ApiProperty({ example: 'ort_4q0Zb8pX…' })
  refreshToken: string;
  @ApiProperty({ enum: ['Bearer'] })
  tokenType: 'Bearer';
  /** Seconds until the access token expires. */
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
