import { IsUUID, ValidateIf } from 'class-validator';

export class AttachDatasetDto {
  /** A dataset the caller can read. */
  @IsUUID('all')
  datasetId: string;
}

export class SetOntologyDto {
  /** An ontology the caller can read; null takes the project's ontology away. */
  @ValidateIf((_, value) => value !== null)
  @IsUUID('all')
  ontologyId: string | null;
}
