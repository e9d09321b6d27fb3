import { EntityManager } from '@mikro-orm/postgresql';
import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiTags, ApiSchema } from '@nestjs/swagger';
import { serviceUnavailable } from '../../common/service-unavailable';
import { sql } from '../../database/sql';
import { Public } from '../../policy/public.decorator';
import { ApiProblems } from '../../common/api-problems.decorator';
import { CommonErrorCode } from '../../common/app-error';

@ApiSchema({ name: 'Health', description: 'The service and its database answer.' })
export class HealthDto {
  @ApiProperty({ enum: ['ok'] })
  status: 'ok';
  @ApiProperty({ enum: ['up'] })
  database: 'up';
}

/** A load balancer's probe gives up after a few seconds; the answer must come before it does. */
const PROBE_TIMEOUT_MS = 2000;

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly em: EntityManager) {}

  /** 200 when the database answers; 503 problem details (`SERVICE_UNAVAILABLE`, Retry-After) when it does not. */
  @Public()
  @Get()
  @ApiOperation({ operationId: 'getHealth' })
  @ApiProblems(CommonErrorCode.SERVICE_UNAVAILABLE)
  async health(): Promise<HealthDto> {
    const databaseDown = serviceUnavailable('The database is unavailable');
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        sql(this.em, 'select 1'),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(databaseDown), PROBE_TIMEOUT_MS);
        }),
      ]);
    } catch {
      throw databaseDown;
    } finally {
      clearTimeout(timer);
    }
    return { status: 'ok', database: 'up' };
  }
}
