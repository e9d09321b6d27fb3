import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { MailModule } from '../mail/mail.module';
import { UsersModule } from '../users/users.module';
import { PolicyModule } from '../../policy/policy.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { MemberSearchWord } from './entities/member-search-word.entity';
import { Invitation } from './entities/invitation.entity';
import { Membership } from './entities/membership.entity';
import { InvitationMails } from './invitation.mails';
import { InvitationsController } from './invitations.controller';
import { InvitationsRepository } from './invitations.repository';
import { InvitationsService } from './invitations.service';
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
    MikroOrmModule.forFeature([Membership, MemberSearchWord, Invitation]),
    PolicyModule.forFeature(defineMembershipRules),
    OrganizationsModule,
    MailModule,
  ],
  controllers: [MembersController, InvitationsController],
  providers: [
    MembershipService,
    MembershipRepository,
    NewMembershipsService,
    OrganizationRights,
    InvitationsService,
    InvitationsRepository,
    InvitationMails,
  ],
  exports: [
    MembershipRepository,
    MembershipService,
    NewMembershipsService,
    OrganizationRights,
    InvitationsService,
  ],
})
export class MembershipModule {}
