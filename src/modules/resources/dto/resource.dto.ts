import { ApiSchema } from '@nestjs/swagger';
import { PageOf } from '../../../common/pagination';
import { TagRefDto } from '../../tags/dto/tag.dto';
import type { ResourceRole } from '../../../policy/vocabulary';
import { MyRoleProperty } from './collaborator.dto';
import { StructureProperty } from './create-resource.dto';

const MY_ROLE = "The caller's effective role (direct or through a group); null when they have none.";
const MY_LISTED_ROLE =
  "The caller's effective role; null for an organization admin's view of one they have not joined.";

class ResourceDto {
  id: string;
  title: string;
  description: string;
  /** Null when the creator was internal in no organization. */
  organizationId: string | null;
  ownerId: string;
  createdAt: string;
  updatedAt: string;
}

@ApiSchema({ name: 'Dataset', description: "A dataset, with the caller's role on it." })
export class DatasetDto extends ResourceDto {
  @MyRoleProperty('dataset', MY_ROLE)
  myRole: ResourceRole | null;
}

@ApiSchema({
  name: 'Ontology',
  description: "An ontology, with its label structure and the caller's role on it.",
})
export class OntologyDto extends ResourceDto {
  @MyRoleProperty('ontology', MY_ROLE)
  myRole: ResourceRole | null;

  @StructureProperty('The labelling schema.', { required: true })
  structure: Record<string, unknown>;
}

@ApiSchema({
  name: 'Project',
  description: "A project, with its tags, datasets, ontology and the caller's role on it.",
})
export class ProjectDto extends ResourceDto {
  @MyRoleProperty('project', MY_ROLE)
  myRole: ResourceRole | null;

  ontologyId: string | null;
  datasetIds: string[];
  tags: TagRefDto[];
}

class SummaryFields {
  id: string;
  title: string;
  description: string;
  organizationId: string | null;
  ownerId: string;
  createdAt: string;
}

@ApiSchema({ name: 'ResourceSummary', description: 'A resource as lists show it.' })
export class ResourceSummaryDto extends SummaryFields {
  /** Null for an organization admin's view of a resource they have not joined. */
  myRole: ResourceRole | null;
}

@ApiSchema({ name: 'ProjectSummary', description: 'A project as lists show it, with its tags.' })
export class ProjectSummaryDto extends SummaryFields {
  @MyRoleProperty('project', MY_LISTED_ROLE)
  myRole: ResourceRole | null;

  tags: TagRefDto[];
}

@ApiSchema({ name: 'DatasetSummary', description: 'A dataset as lists show it.' })
export class DatasetSummaryDto extends SummaryFields {
  @MyRoleProperty('dataset', MY_LISTED_ROLE)
  myRole: ResourceRole | null;
}

@ApiSchema({ name: 'OntologySummary', description: 'An ontology as lists show it.' })
export class OntologySummaryDto extends SummaryFields {
  @MyRoleProperty('ontology', MY_LISTED_ROLE)
  myRole: ResourceRole | null;
}

@ApiSchema({ name: 'ProjectSummaryPage', description: 'A page of projects, newest first.' })
export class ProjectSummaryPage extends PageOf(ProjectSummaryDto) {}
@ApiSchema({ name: 'DatasetSummaryPage', description: 'A page of datasets, newest first.' })
export class DatasetSummaryPage extends PageOf(DatasetSummaryDto) {}
@ApiSchema({ name: 'OntologySummaryPage', description: 'A page of ontologies, newest first.' })
export class OntologySummaryPage extends PageOf(OntologySummaryDto) {}

export type ResourceDetail = ProjectDto | DatasetDto | OntologyDto;
