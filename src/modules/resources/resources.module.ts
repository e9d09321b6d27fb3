import { Module } from '@nestjs/common';
import { CollaboratorsService } from './collaborators.service';
import {
  OrganizationDatasetsController,
  OrganizationOntologiesController,
  OrganizationProjectsController,
} from './organization-resources.controller';
import { ProjectLinksController } from './project-links.controller';
import { ProjectLinksService } from './project-links.service';
import { ProjectNotificationsController } from './project-notifications.controller';
import { ProjectNotificationsService } from './project-notifications.service';
import { ProjectTagsController } from './project-tags.controller';
import { ProjectTagsService } from './project-tags.service';
import { ResourceAccess } from './resource-access.service';
import { ResourceInvitations } from './resource-invitations.service';
import { DatasetsController, OntologiesController, ProjectsController } from './resources.controller';
import { ResourcesService } from './resources.service';

@Module({
  controllers: [
    ProjectsController,
    DatasetsController,
    OntologiesController,
    ProjectLinksController,
    ProjectNotificationsController,
    ProjectTagsController,
    OrganizationProjectsController,
    OrganizationDatasetsController,
    OrganizationOntologiesController,
  ],
  providers: [
    ResourcesService,
    CollaboratorsService,
    ProjectLinksService,
    ProjectNotificationsService,
    ProjectTagsService,
    ResourceAccess,
    ResourceInvitations,
  ],
  exports: [ResourcesService, CollaboratorsService],
})
export class ResourcesModule {}
