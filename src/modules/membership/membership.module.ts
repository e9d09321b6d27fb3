import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Membership } from './entities/membership.entity';
import { MemberSearchWord } from './entities/member-search-word.entity';
import { PolicyModule } from '../../policy/policy.module';
import { defineMembershipRules } from './membership.rules';
import { Module } from '@nestjs/common';
import { DomainJoinService } from './domain-join.service';
import { MemberRemovalService } from './member-removal.service';
import { MembersController } from './members.controller';
import { MembersService } from './members.service';

@Module({
  imports: [
    MikroOrmModule.forFeature([Membership, MemberSearchWord]),
    PolicyModule.forFeature(defineMembershipRules),
  ],

  controllers: [MembersController],
  providers: [DomainJoinService, MembersService, MemberRemovalService],
  exports: [DomainJoinService],
})
export class MembershipModule {}
