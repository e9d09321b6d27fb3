import { ApiSchema } from '@nestjs/swagger';
import { User, UserStatus } from '../entities/user.entity';

@ApiSchema({ name: 'User', description: 'A user account.' })
export class UserDto {
  id: string;
  email: string;
  name: string;
  /** `invited`: added by email, never signed up nor signed in through an identity provider. */
  status: UserStatus;
  emailVerified: boolean;

  static from(user: User): UserDto {
    return {
      id: user.id,
      email: user.email,
      name: user.name,
      status: user.status,
      emailVerified: user.emailVerifiedAt !== null,
    };
  }

  /** The account as a sign-up waiting for its verification describes it: signed up, not verified. */
  static signingUp(user: User, name: string): UserDto {
    return { ...UserDto.from(user), name, status: 'active', emailVerified: false };
  }
}
