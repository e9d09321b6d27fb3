import { IsUUID } from 'class-validator';

export class AddProjectTagDto {
  /** A tag of the project's organization. */
  @IsUUID('all')
  tagId: string;
}
