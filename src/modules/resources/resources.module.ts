import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Resource } from './entities/resource.entity';
import { Collaborator } from './entities/collaborator.entity';
import { ResourceGroup } from './entities/resource-group.entity';
import { ProjectDataset } from './entities/project-dataset.entity';
import { Notification } from './entities/notification.entity';
import { NotificationRecipient } from './entities/notification-recipient.entity';
import { PolicyModule } from '../../policy/policy.module';
import { defineResourceRules } from './resources.rules';
import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { MailModule } from '../mail/mail.module';
import { UsersModule } from '../users/users.module';
import { QuotasModule } from '../quotas/quotas.module';
import { MembershipModule } from '../membership/membership.module';
import { TagsModule } from '../tags/tags.module';
import { CollaboratorsRepository } from './collaborators.repository';
import { ProjectNotificationsRepository } from './project-notifications.repository';
import { ResourceRightsService } from './resource-rights.service';
import { ResourcesRepository } from './resources.repository';
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
import { ResourceAccess } from './resource-access.service';
import { ResourceInvitations } from './resource-invitations.service';
import { ResourceInvitationsRepository } from './resource-invitations.repository';
import { DatasetsController, OntologiesController, ProjectsController } from './resources.controller';
import { ResourcesService } from './resources.service';
import { ExpirySweeper } from './expiry-sweeper.service';

@Module({
  imports: [
    AuditModule,
    MailModule,
    UsersModule,
    QuotasModule,
    MikroOrmModule.forFeature([
      Resource,
      Collaborator,
      ResourceGroup,
      ProjectDataset,
      Notification,
      NotificationRecipient,
    ]),
    PolicyModule.forFeature(defineResourceRules),
    MembershipModule,
    TagsModule,
  ],

  controllers: [
    ProjectsController,
    DatasetsController,
    OntologiesController,
    ProjectLinksController,
    ProjectNotificationsController,
    OrganizationProjectsController,
    OrganizationDatasetsController,
    OrganizationOntologiesController,
  ],
  providers: [
    ResourcesService,
    CollaboratorsService,
    ProjectLinksService,
    ProjectNotificationsService,
    ResourceAccess,
    ResourceInvitations,
    ResourceInvitationsRepository,
    ResourceRightsService,
    ResourcesRepository,
    CollaboratorsRepository,
    ProjectNotificationsRepository,
    ExpirySweeper,
  ],
})
export class ResourcesModule {}
