import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { PageQuery } from '../../../common/pagination';
import { commaList, trim } from './input-transforms';

export class ResourceListQuery extends PageQuery {
  /** `me`: only the resources the caller owns (created). */
  @IsOptional()
  @IsIn(['me'])
  owner?: 'me';

  /** Case-insensitive text anywhere in the title. */
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(200)
  q?: string;
}

export class ProjectListQuery extends ResourceListQuery {
  /** Comma-separated tag ids: projects having ALL of them. */
  @IsOptional()
  @Transform(commaList)
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true })
  tags?: string[];

  /** Comma-separated tag ids: projects having at least one of them. */
  @IsOptional()
  @Transform(commaList)
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true })
  tagsAny?: string[];
}
