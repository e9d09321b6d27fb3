import { Module } from '@nestjs/common';
import { QuotasRepository } from './quotas.repository';
import { QuotasService } from './quotas.service';

@Module({ providers: [QuotasService, QuotasRepository], exports: [QuotasService] })
export class QuotasModule {}
