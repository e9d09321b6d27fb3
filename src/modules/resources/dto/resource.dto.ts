import { ApiSchema } from '@nestjs/swagger';
import { PageOf } from '../../../common/pagination';
import { TagRefDto } from '../../tags/dto/tag.dto';
import type { ResourceRole } from '../../../policy/vocabulary';

class ResourceDto {
  id: string;
  title: string;
  description: string;
  /** Null when the creator was internal in no organization. */
  organizationId: string | null;
  ownerId: string;
  /** The caller's effective role (direct or through a group); null when they have none. */
  myRole: ResourceRole | null;
  createdAt: string;
  updatedAt: string;
}

@ApiSchema({ name: 'Dataset', description: "A dataset, with the caller's role on it." })
export class DatasetDto extends ResourceDto {}

@ApiSchema({
  name: 'Ontology',
  description: "An ontology, with its label structure and the caller's role on it.",
})
export class OntologyDto extends ResourceDto {
  /** The labelling schema. */
  structure: Record<string, unknown>;
}

@ApiSchema({
  name: 'Project',
  description: "A project, with its tags, datasets, ontology and the caller's role on it.",
})
export class ProjectDto extends ResourceDto {
  ontologyId: string | null;
  datasetIds: string[];
  tags: TagRefDto[];
}

@ApiSchema({ name: 'ResourceSummary', description: 'A resource as lists show it.' })
export class ResourceSummaryDto {
  id: string;
  title: string;
  description: string;
  organizationId: string | null;
  ownerId: string;
  /** Null for an organization admin's view of a resource they have not joined. */
  myRole: ResourceRole | null;
  createdAt: string;
}

@ApiSchema({ name: 'ProjectSummary', description: 'A project as lists show it, with its tags.' })
export class ProjectSummaryDto extends ResourceSummaryDto {
  tags: TagRefDto[];
}

@ApiSchema({ name: 'ProjectSummaryPage', description: 'A page of projects, newest first.' })
export class ProjectSummaryPage extends PageOf(ProjectSummaryDto) {}
@ApiSchema({ name: 'DatasetSummaryPage', description: 'A page of datasets, newest first.' })
export class DatasetSummaryPage extends PageOf(ResourceSummaryDto) {}
@ApiSchema({ name: 'OntologySummaryPage', description: 'A page of ontologies, newest first.' })
export class OntologySummaryPage extends PageOf(ResourceSummaryDto) {}

export type ResourceDetail = ProjectDto | DatasetDto | OntologyDto;
