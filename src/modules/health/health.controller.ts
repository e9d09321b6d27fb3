import { EntityManager, MikroORM } from '@mikro-orm/postgresql';
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

@ApiSchema({ name: 'Liveness', description: 'The process answers; says nothing of the database.' })
export class LivenessDto {
  @ApiProperty({ enum: ['ok'] })
  status: 'ok';
}

@ApiSchema({
  name: 'Readiness',
  description: 'The instance may take traffic: its database answers and holds every committed migration.',
})
export class ReadinessDto {
  @ApiProperty({ enum: ['ok'] })
  status: 'ok';
  @ApiProperty({ enum: ['up'] })
  database: 'up';
  @ApiProperty({ enum: ['current'] })
  migrations: 'current';
}

/** A load balancer's probe gives up after a few seconds; the answer must come before it does. */
const PROBE_TIMEOUT_MS = 2000;

const databaseUnavailable = () => serviceUnavailable('The database is unavailable');

/**
 * Rejects with a 503 `SERVICE_UNAVAILABLE` when `work` has not settled in time (or fails). The error
 * is built only then: built for every probe, it was 10% of /health's CPU (docs/decisions.md).
 */
async function withinProbeTime<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('probe timed out')), PROBE_TIMEOUT_MS);
      }),
    ]);
  } catch {
    throw databaseUnavailable();
  } finally {
    clearTimeout(timer);
  }
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  /** Migrations are never undone under a running instance: once current, always current. */
  private migrationsCurrent = false;

  constructor(
    private readonly em: EntityManager,
    private readonly orm: MikroORM,
  ) {}

  /** 200 when the database answers; 503 problem details (`SERVICE_UNAVAILABLE`, Retry-After) when it does not. */
  @Public()
  @Get()
  @ApiOperation({ operationId: 'getHealth' })
  @ApiProblems(CommonErrorCode.SERVICE_UNAVAILABLE)
  async health(): Promise<HealthDto> {
    await withinProbeTime(sql(this.em, 'select 1'));
    return { status: 'ok', database: 'up' };
  }

  /** Liveness: 200 while the process serves HTTP, whatever the database does (restart it only if this fails). */
  @Public()
  @Get('live')
  @ApiOperation({ operationId: 'getLiveness' })
  live(): LivenessDto {
    return { status: 'ok' };
  }

  /**
   * Readiness: 200 when the database answers and every committed migration is applied; else 503
   * (`SERVICE_UNAVAILABLE`, Retry-After), so a balancer sends this instance no traffic yet.
   */
  @Public()
  @Get('ready')
  @ApiOperation({ operationId: 'getReadiness' })
  @ApiProblems(CommonErrorCode.SERVICE_UNAVAILABLE)
  async ready(): Promise<ReadinessDto> {
    await withinProbeTime(sql(this.em, 'select 1'));
    if (!this.migrationsCurrent) {
      const pending = await withinProbeTime(this.orm.getMigrator().getPendingMigrations());
      if (pending.length > 0) throw serviceUnavailable('The database schema is not migrated yet');
      this.migrationsCurrent = true;
    }
    return { status: 'ok', database: 'up', migrations: 'current' };
  }
}
