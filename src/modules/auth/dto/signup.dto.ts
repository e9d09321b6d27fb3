import { ApiSchema } from '@nestjs/swagger';
import { Transform, TransformFnParams } from 'class-transformer';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';
import { normalizeEmail } from '../../users/users.service';

export const toNormalizedEmail = ({ value }: TransformFnParams): unknown =>
  typeof value === 'string' ? normalizeEmail(value) : value;

@ApiSchema({ name: 'Signup', description: 'A new account: email, name and password.' })
export class SignupDto {
  @Transform(toNormalizedEmail)
  @IsEmail()
  @MaxLength(254)
  email: string;

  /** At least 10 characters. */
  @IsString()
  @MinLength(10)
  @MaxLength(200)
  password: string;

  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;
}

@ApiSchema({ name: 'VerifyEmail', description: 'The token of a verification link.' })
export class VerifyEmailDto {
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  token: string;
}

@ApiSchema({ name: 'Login', description: 'Credentials exchanged for an access token.' })
export class LoginDto {
  @Transform(toNormalizedEmail)
  @IsEmail()
  @MaxLength(254)
  email: string;

  @IsString()
  @MinLength(1)
  @MaxLength(200)
  password: string;
}
