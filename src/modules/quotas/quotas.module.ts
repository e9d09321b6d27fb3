import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { QuotaUsage } from './entities/quota-usage.entity';
import { QuotasRepository } from './quotas.repository';
import { QuotasService } from './quotas.service';

@Module({
  imports: [MikroOrmModule.forFeature([QuotaUsage])],
  providers: [QuotasService, QuotasRepository],
  exports: [QuotasService],
})
export class QuotasModule {}
