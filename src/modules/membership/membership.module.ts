import { Module } from '@nestjs/common';
import { DomainJoinService } from './domain-join.service';

@Module({ providers: [DomainJoinService], exports: [DomainJoinService] })
export class MembershipModule {}
