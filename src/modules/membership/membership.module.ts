import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { UsersModule } from '../users/users.module';
import { PolicyModule } from '../../policy/policy.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { MemberSearchWord } from './entities/member-search-word.entity';
import { Membership } from './entities/membership.entity';
import { MembersController } from './members.controller';
import { MembershipRepository } from './membership.repository';
import { defineMembershipRules } from './membership.rules';
import { MembershipService } from './membership.service';
import { NewMembershipsService } from './new-memberships.service';
import { OrganizationRights } from './organization-rights';

@Module({
  imports: [
    AuditModule,
    UsersModule,
    MikroOrmModule.forFeature([Membership, MemberSearchWord]),
    PolicyModule.forFeature(defineMembershipRules),
    OrganizationsModule,
  ],
  controllers: [MembersController],
  providers: [MembershipService, MembershipRepository, NewMembershipsService, OrganizationRights],
  exports: [MembershipRepository, MembershipService, NewMembershipsService, OrganizationRights],
})
export class MembershipModule {}
