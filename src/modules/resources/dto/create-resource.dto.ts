import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { IsJsonObjectWithin } from '../../../common/json-document';
import { IsOmittable, trim } from './input-transforms';

/** Room for a large labelling schema, under the 1 MB request body limit with room to spare. */
export const ONTOLOGY_STRUCTURE_LIMITS = { maxBytes: 512 * 1024, maxDepth: 32 };

/**
 * The labelling schema as the service treats it: any JSON object, kept whole (PostgreSQL `jsonb`, so
 * key order and duplicate keys are not kept) and never interpreted; the labelling tools that read
 * it own its vocabulary. Declared once for the bodies that take it and the answers that return it.
 */
export function StructureProperty(description: string, options: { required?: boolean } = {}) {
  return (options.required ? ApiProperty : ApiPropertyOptional)({
    type: 'object',
    additionalProperties: true,
    description:
      `${description} Any JSON object (not an array or a scalar) of at most ` +
      `${ONTOLOGY_STRUCTURE_LIMITS.maxBytes / 1024} KiB as JSON and ${ONTOLOGY_STRUCTURE_LIMITS.maxDepth} ` +
      'levels deep; stored as given, with object keys in no particular order; strings must be ' +
      'storable text (no NUL, no lone surrogate).',
    example: {
      objects: [{ name: 'car', shape: 'bounding_box', attributes: [{ name: 'occluded', type: 'boolean' }] }],
      classifications: [{ name: 'weather', options: ['sunny', 'rain', 'snow'] }],
    },
  });
}

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
  @StructureProperty('The labelling schema; an empty object when left out.')
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
  @StructureProperty('Replaces the labelling schema as a whole.')
  @IsOmittable()
  @IsJsonObjectWithin(ONTOLOGY_STRUCTURE_LIMITS)
  structure?: Record<string, unknown>;
}

export type CreateResourceBody = CreateProjectDto | CreateDatasetDto | CreateOntologyDto;
export type UpdateResourceBody = UpdateResourceDto | UpdateOntologyDto;
