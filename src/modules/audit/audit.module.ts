import { MikroOrmModule } from '@mikro-orm/nestjs';
import { AuditEvent } from './entities/audit-event.entity';
import { Module } from '@nestjs/common';
import { AuditEventsRepository } from './audit-events.repository';
import { AuditLogService } from './audit-log.service';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';

@Module({
  imports: [MikroOrmModule.forFeature([AuditEvent])],

  controllers: [AuditController],
  providers: [AuditService, AuditLogService, AuditEventsRepository],
  exports: [AuditService],
})
export class AuditModule {}
