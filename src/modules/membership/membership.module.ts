import { Module } from '@nestjs/common';
import { DomainJoinService } from './domain-join.service';
import { MemberRemovalService } from './member-removal.service';
import { MembersController } from './members.controller';
import { MembersService } from './members.service';

@Module({
  controllers: [MembersController],
  providers: [DomainJoinService, MembersService, MemberRemovalService],
  exports: [DomainJoinService],
})
export class MembershipModule {}
