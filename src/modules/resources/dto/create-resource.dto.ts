import { ApiSchema } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { IsJsonObjectWithin } from '../../../common/json-document';
import { IsOmittable, trim } from './input-transforms';

/** Room for a large labelling schema, under the 1 MB request body limit with room to spare. */
export const ONTOLOGY_STRUCTURE_LIMITS = { maxBytes: 512 * 1024, maxDepth: 32 };

class CreateResourceDto {
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title: string;

  @IsOmittable()
  @IsString()
  @MaxLength(10000)
  description?: string;
}

@ApiSchema({ name: 'CreateDataset', description: 'A new dataset.' })
export class CreateDatasetDto extends CreateResourceDto {}

@ApiSchema({ name: 'CreateOntology', description: 'A new ontology, with its label structure.' })
export class CreateOntologyDto extends CreateResourceDto {
  /** The labelling schema, a JSON object (an empty object when left out): at most 512 KiB as JSON, 32 levels deep. */
  @IsOmittable()
  @IsJsonObjectWithin(ONTOLOGY_STRUCTURE_LIMITS)
  structure?: Record<string, unknown>;
}

@ApiSchema({ name: 'CreateProject', description: 'A new project, with its tags, datasets and ontology.' })
export class CreateProjectDto extends CreateResourceDto {
  /** An ontology the caller can read. */
  @IsOmittable()
  @IsUUID('all')
  ontologyId?: string;

  /** Datasets the caller can read, attached at creation. */
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  datasetIds?: string[];

  /** Tags of the organization the project will belong to. */
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  tagIds?: string[];
}

@ApiSchema({ name: 'UpdateResource', description: 'A new title or description.' })
export class UpdateResourceDto {
  @IsOmittable()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title?: string;

  @IsOmittable()
  @IsString()
  @MaxLength(10000)
  description?: string;
}

@ApiSchema({
  name: 'UpdateOntology',
  description: "An ontology's new title, description or label structure.",
})
export class UpdateOntologyDto extends UpdateResourceDto {
  /** Replaces the labelling schema as a whole: at most 512 KiB as JSON, 32 levels deep. */
  @IsOmittable()
  @IsJsonObjectWithin(ONTOLOGY_STRUCTURE_LIMITS)
  structure?: Record<string, unknown>;
}

export type CreateResourceBody = CreateProjectDto | CreateDatasetDto | CreateOntologyDto;
export type UpdateResourceBody = UpdateResourceDto | UpdateOntologyDto;
