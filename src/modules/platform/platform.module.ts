import { PolicyModule } from '../../policy/policy.module';
import { definePlatformRules } from './platform.rules';
import { Module } from '@nestjs/common';
import { PlatformController } from './platform.controller';
import { PlatformService } from './platform.service';

@Module({
  imports: [PolicyModule.forFeature(definePlatformRules)],
  controllers: [PlatformController],
  providers: [PlatformService],
})
export class PlatformModule {}
