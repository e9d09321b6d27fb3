import { ExpiresAtField } from '../../../common/expiry';
import { ApiHideProperty, ApiSchema } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
} from 'class-validator';
import { PageQuery } from '../../../common/pagination';
import { INTERNAL_TYPES, MEMBERSHIP_TYPES, MembershipType } from '../../../policy/vocabulary';

const commaList = ({ value }: { value: unknown }) =>
  [value]
    .flat()
    .flatMap((v) => (typeof v === 'string' ? v.split(',') : [v]))
    .map((v) => (typeof v === 'string' ? v.trim() : v))
    .filter((v) => v !== '');

export class ListMembersQuery extends PageQuery {
  /** Keeps these types only: a comma-separated list, e.g. `admin,member`. */
  // Documented on the route (MembersController.list): the plugin would describe the parsed array.
  @ApiHideProperty()
  @IsOptional()
  @Transform(commaList)
  @IsArray()
  @ArrayMaxSize(MEMBERSHIP_TYPES.length)
  @IsIn(MEMBERSHIP_TYPES, { each: true })
  type?: MembershipType[];

  /**
   * Autocomplete: every word typed must begin a word of the user's name or email (`jo` finds
   * `John Smith` and `mary.jones@acme.com`, not `major@acme.com`). Case and accents are ignored.
   * Found users come first when their name starts with the text typed, by name; with several words,
   * next when the first word of their name starts with the longest word typed, by name; then the
   * others, by their word that starts with the longest word typed, then by name. Text with no letter
   * or digit finds everyone, in join order.
   */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}

@ApiSchema({ name: 'AddMember', description: 'A user to add to the organization by email, with their type.' })
export class AddMemberDto {
  /** An unknown email creates an invited user, who keeps this membership on signing up. */
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsEmail()
  @MaxLength(254)
  email: string;

  /** Members may add `member`, `workforce` or `external`; admins may also add `admin`. */
  @IsIn(MEMBERSHIP_TYPES)
  type: MembershipType;

  /** Workforce and external users only: their access ends then (internal users never expire). */
  @ExpiresAtField()
  expiresAt?: string;
}

@ApiSchema({
  name: 'ChangeMemberType',
  description: "The new type of an internal user (admin or member), or a guest's new expiry.",
})
export class ChangeMemberTypeDto {
  /** Promote a member to `admin` or demote an admin to `member`; other types are not changed here. */
  @IsOptional()
  @IsIn(INTERNAL_TYPES)
  type?: 'admin' | 'member';

  /** Workforce and external users only: when their access ends; null: never. */
  @ExpiresAtField({ nullable: true })
  expiresAt?: string | null;
}

export class RemoveMemberQuery {
  /**
   * An internal user of the organization who becomes admin of every resource the removed user is
   * the only admin of. Required when there are such resources (see `removal-preview`).
   */
  @IsOptional()
  @IsString()
  @IsUUID()
  replacementUserId?: string;
}
