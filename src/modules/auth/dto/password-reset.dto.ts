import { Transform } from 'class-transformer';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';
import { toNormalizedEmail } from './signup.dto';

/** Resending a verification, asking for a password reset. */
export class EmailOnlyDto {
  @Transform(toNormalizedEmail)
  @IsEmail()
  @MaxLength(254)
  email: string;
}

export class PasswordResetConfirmDto {
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  token: string;

  /** The new password: at least 10 characters. */
  @IsString()
  @MinLength(10)
  @MaxLength(200)
  password: string;
}
