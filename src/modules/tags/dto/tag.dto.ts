import { ApiSchema } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { PageOf } from '../../../common/pagination';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

@ApiSchema({ name: 'Tag', description: 'A project tag of an organization, with how many projects carry it.' })
export class TagDto {
  id: string;
  name: string;
  /** How many projects carry the tag. */
  projectCount: number;
}

@ApiSchema({ name: 'TagPage', description: 'A page of tags, by name.' })
export class TagPage extends PageOf(TagDto) {}

@ApiSchema({ name: 'TagName', description: "A tag's name." })
export class TagNameDto {
  /** Trimmed; 1 to 50 characters; unique in the organization whatever the letter case. */
  @Transform(trim)
  @IsString()
  @Length(1, 50)
  name: string;
}

export class DeleteTagQuery {
  /** Required when projects use the tag: it is then taken off all of them. */
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  confirm?: boolean;
}

@ApiSchema({ name: 'TagProject', description: 'The tag to put on a project.' })
export class TagProjectDto {
  @IsUUID()
  tagId: string;
}

/** A tag as projects carry it. */
@ApiSchema({ name: 'TagRef', description: 'A tag on a project.' })
export class TagRefDto {
  id: string;
  name: string;
}
