import { ApiSchema } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

@ApiSchema({ name: 'RefreshTokenRequest', description: 'A refresh token, to rotate or to end its session.' })
export class RefreshTokenDto {
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  refreshToken: string;
}
