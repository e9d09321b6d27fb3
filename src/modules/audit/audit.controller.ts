import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { UuidParam } from '../../common/uuid-param';
import { Authorize } from '../../policy/authorize.decorator';
import { AuditLogService } from './audit-log.service';
import { AuditEventPage, AuditEventsQuery } from './dto/audit-event.dto';
import { ReadsFromReplica } from '../../database/read-routing';

@ApiTags('audit')
@Controller('organizations/:orgId/audit-events')
export class AuditController {
  constructor(private readonly auditLog: AuditLogService) {}

  /** Who changed what in the organization, newest first (admins only). */
  @Get()
  @Authorize('read', 'AuditEvent', { type: 'organization' })
  @ReadsFromReplica()
  @ApiOperation({ operationId: 'listAuditEvents' })
  list(@UuidParam('orgId') orgId: string, @Query() query: AuditEventsQuery): Promise<AuditEventPage> {
    return this.auditLog.page(orgId, query);
  }
}
