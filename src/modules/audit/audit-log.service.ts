import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Page } from '../../common/pagination';
import { AuditEventsRepository } from './audit-events.repository';
import { AuditEventDto, AuditEventsQuery } from './dto/audit-event.dto';

/** Reads the audit log; writing is AuditService's, inside each change's own transaction. */
@Injectable()
export class AuditLogService {
  constructor(
    private readonly em: EntityManager,
    private readonly events: AuditEventsRepository,
  ) {}

  page(organizationId: string, query: AuditEventsQuery): Promise<Page<AuditEventDto>> {
    return this.events.page(this.em, organizationId, query);
  }
}
