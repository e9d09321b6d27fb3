import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Group } from './entities/group.entity';
import { GroupMember } from './entities/group-member.entity';
import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { QuotasModule } from '../quotas/quotas.module';
import { GroupsController } from './groups.controller';
import { MembershipModule } from '../membership/membership.module';
import { GroupsRepository } from './groups.repository';
import { GroupsService } from './groups.service';

@Module({
  imports: [AuditModule, QuotasModule, MikroOrmModule.forFeature([Group, GroupMember]), MembershipModule],
  controllers: [GroupsController],
  providers: [GroupsService, GroupsRepository],
  exports: [GroupsService],
})
export class GroupsModule {}
