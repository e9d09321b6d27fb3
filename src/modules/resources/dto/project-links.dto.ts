import { ApiSchema } from '@nestjs/swagger';
import { IsUUID, ValidateIf } from 'class-validator';

@ApiSchema({ name: 'AttachDataset', description: 'A dataset to link to a project.' })
export class AttachDatasetDto {
  /** A dataset the caller can read. */
  @IsUUID('all')
  datasetId: string;
}

@ApiSchema({ name: 'SetOntology', description: "The project's ontology, or none." })
export class SetOntologyDto {
  /** An ontology the caller can read; null takes the project's ontology away. */
  @ValidateIf((_, value) => value !== null)
  @IsUUID('all')
  ontologyId: string | null;
}
