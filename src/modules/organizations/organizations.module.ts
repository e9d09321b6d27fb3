import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Organization } from './entities/organization.entity';
import { OrganizationDomain } from './entities/organization-domain.entity';
import { PolicyModule } from '../../policy/policy.module';
import { defineOrganizationRules } from './organizations.rules';
import { Module } from '@nestjs/common';
import { OrganizationsController } from './organizations.controller';
import { OrganizationsRepository } from './organizations.repository';
import { OrganizationsService } from './organizations.service';

@Module({
  imports: [
    MikroOrmModule.forFeature([Organization, OrganizationDomain]),
    PolicyModule.forFeature(defineOrganizationRules),
  ],
  controllers: [OrganizationsController],
  providers: [OrganizationsService, OrganizationsRepository],
  exports: [OrganizationsRepository],
})
export class OrganizationsModule {}
