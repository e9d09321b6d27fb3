import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsOptional, IsUUID } from 'class-validator';

const commaList = ({ value }: { value: unknown }) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean)
    : value;

/** The dashboard's tag filters, shared by every project list. */
export class TagFilterQuery {
  /** Comma-separated tag ids: projects having ALL of them. */
  @IsOptional()
  @Transform(commaList)
  @ArrayMaxSize(20)
  @IsUUID('all', { each: true })
  tags?: string[];

  /** Comma-separated tag ids: projects having at least one of them. */
  @IsOptional()
  @Transform(commaList)
  @ArrayMaxSize(20)
  @IsUUID('all', { each: true })
  tagsAny?: string[];
}
