import { ApiSchema } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsFQDN,
  IsOptional,
  IsString,
  MaxLength,
  MinLength,
} from 'class-validator';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const lowerEach = ({ value }: { value: unknown }) =>
  Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v.trim().toLowerCase() : v)) : value;

@ApiSchema({
  name: 'CreateOrganization',
  description: 'A new organization: name, email domains, first admins, workforce flag.',
})
export class CreateOrganizationDto {
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  /** Email domains; verified users with a matching email join as members. */
  @Transform(lowerEach)
  @IsArray()
  @ArrayMaxSize(50)
  @IsFQDN({ require_tld: true }, { each: true })
  @MaxLength(253, { each: true })
  domains: string[];

  /** At least one: they become the organization's first admins (invited when they have no account). */
  @Transform(lowerEach)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsEmail({}, { each: true })
  @MaxLength(254, { each: true })
  adminEmails: string[];

  @IsOptional()
  @IsBoolean()
  isWorkforce?: boolean;
}

@ApiSchema({ name: 'UpdateOrganization', description: "An organization's new name or workforce flag." })
export class UpdateOrganizationDto {
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @IsOptional()
  @IsBoolean()
  isWorkforce?: boolean;
}

@ApiSchema({ name: 'AddDomain', description: 'An email domain to attach to an organization.' })
export class AddDomainDto {
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsFQDN({ require_tld: true })
  @MaxLength(253)
  domain: string;
}
