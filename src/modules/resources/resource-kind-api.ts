import { Type } from '@nestjs/common';
import {
  CreateDatasetDto,
  CreateOntologyDto,
  CreateProjectDto,
  UpdateOntologyDto,
  UpdateResourceDto,
} from './dto/create-resource.dto';
import { collaboratorDtos, CollaboratorDtos } from './dto/collaborator.dto';
import { ProjectListQuery, ResourceListQuery } from './dto/list-resources.dto';
import {
  DatasetDto,
  DatasetSummaryPage,
  OntologyDto,
  OntologySummaryPage,
  ProjectDto,
  ProjectSummaryPage,
} from './dto/resource.dto';
import { ResourceKind } from '../../policy/vocabulary';

/** What differs between the kinds at the HTTP edge: the path, and the classes of bodies and answers. */
export interface ResourceKindApi {
  kind: ResourceKind;
  /** Path segment and Swagger tag: projects, datasets, ontologies. */
  segment: string;
  /** Capitalized singular, for operationIds: Project, Dataset, Ontology. */
  singular: string;
  /** Capitalized plural, for class names (and so Swagger operationIds): Projects, Datasets, Ontologies. */
  plural: string;
  createBody: Type<unknown>;
  updateBody: Type<unknown>;
  detail: Type<unknown>;
  listQuery: Type<ResourceListQuery>;
  page: Type<unknown>;
  /** Collaborator and group-role bodies and answers, whose roles are the kind's own. */
  collaborators: CollaboratorDtos;
}

export const RESOURCE_KIND_APIS: Record<ResourceKind, ResourceKindApi> = {
  project: {
    kind: 'project',
    singular: 'Project',
    segment: 'projects',
    plural: 'Projects',
    createBody: CreateProjectDto,
    updateBody: UpdateResourceDto,
    detail: ProjectDto,
    listQuery: ProjectListQuery,
    page: ProjectSummaryPage,
    collaborators: collaboratorDtos('project'),
  },
  dataset: {
    kind: 'dataset',
    singular: 'Dataset',
    segment: 'datasets',
    plural: 'Datasets',
    createBody: CreateDatasetDto,
    updateBody: UpdateResourceDto,
    detail: DatasetDto,
    listQuery: ResourceListQuery,
    page: DatasetSummaryPage,
    collaborators: collaboratorDtos('dataset'),
  },
  ontology: {
    kind: 'ontology',
    singular: 'Ontology',
    segment: 'ontologies',
    plural: 'Ontologies',
    createBody: CreateOntologyDto,
    updateBody: UpdateOntologyDto,
    detail: OntologyDto,
    listQuery: ResourceListQuery,
    page: OntologySummaryPage,
    collaborators: collaboratorDtos('ontology'),
  },
};

/**
 * TypeScript records `Object` as the type of a parameter whose class depends on the kind; declare
 * the real classes so that validation (the global ValidationPipe) and Swagger both see them.
 */
export function declareParamTypes(controller: Type<unknown>, types: Record<string, unknown[]>): void {
  for (const [method, paramTypes] of Object.entries(types)) {
    Reflect.defineMetadata('design:paramtypes', paramTypes, controller.prototype, method);
  }
}

/** Class names become Swagger operationId prefixes: each kind's controller needs its own. */
export function nameClass<T extends Type<unknown>>(target: T, name: string): T {
  Object.defineProperty(target, 'name', { value: name });
  return target;
}
