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

export class DatasetDto extends ResourceDto {}

export class OntologyDto extends ResourceDto {
  /** The labelling schema. */
  structure: Record<string, unknown>;
}

export class ProjectDto extends ResourceDto {
  ontologyId: string | null;
  datasetIds: string[];
  tags: TagRefDto[];
}

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

export class ProjectSummaryDto extends ResourceSummaryDto {
  tags: TagRefDto[];
}

export class ProjectSummaryPage extends PageOf(ProjectSummaryDto) {}
export class DatasetSummaryPage extends PageOf(ResourceSummaryDto) {}
export class OntologySummaryPage extends PageOf(ResourceSummaryDto) {}

export type ResourceDetail = ProjectDto | DatasetDto | OntologyDto;
