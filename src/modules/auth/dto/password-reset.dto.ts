import { ApiSchema } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';
import { toNormalizedEmail } from './signup.dto';

/** Resending a verification, asking for a password reset. */
@ApiSchema({ name: 'EmailOnly', description: 'An email address to mail a link to.' })
export class EmailOnlyDto {
  @Transform(toNormalizedEmail)
  @IsEmail()
  @MaxLength(254)
  email: string;
}

@ApiSchema({ name: 'PasswordResetConfirm', description: 'The mailed reset token and the new password.' })
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
