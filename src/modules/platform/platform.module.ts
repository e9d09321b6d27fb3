import { PolicyModule } from '../../policy/policy.module';
import { definePlatformRules } from './platform.rules';
import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { UsersModule } from '../users/users.module';
import { MembershipModule } from '../membership/membership.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { PlatformController } from './platform.controller';
import { PlatformService } from './platform.service';

@Module({
  imports: [
    AuditModule,
    UsersModule,
    PolicyModule.forFeature(definePlatformRules),
    OrganizationsModule,
    MembershipModule,
  ],
  controllers: [PlatformController],
  providers: [PlatformService],
})
export class PlatformModule {}
