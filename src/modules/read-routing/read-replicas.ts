import { Knex, MikroORM, PostgreSqlConnection } from '@mikro-orm/postgresql';
import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';

/** A replica's replay position is trusted this long before it is asked again. */
const FRESH_MS = 1000;
/** A replica that failed to answer is left alone this long. */
const DOWN_FOR_MS = 5000;
/** The replay-position probe gives up after this long (the primary then serves the read). */
const PROBE_TIMEOUT_MS = 1000;

/** `16/B374D848` as a number, to compare WAL positions. */
export function parseLsn(lsn: string): bigint {
  const [high, low] = lsn.split('/');
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
}

interface Replica {
  name: string;
  connection: PostgreSqlConnection;
  replayed?: bigint;
  checkedAt: number;
  downUntil: number;
}

/**
 * The read replicas of `DATABASE_REPLICA_URLS`, each a MikroORM connection of its own (same pool
 * bounds, statement timeout and type parsers as the primary's), with the WAL position it has
 * replayed. MikroORM's `replicas` option is not used: it picks a replica at random for the ORM's
 * reads, where read-your-writes needs the one that has caught up, and only for routes that only read.
 */
@Injectable()
export class ReadReplicas implements OnModuleDestroy {
  private readonly logger = new Logger('ReadReplicas');
  private readonly replicas: Replica[];
  private next = 0;

  constructor(config: AppConfig, orm: MikroORM) {
    this.replicas = config.DATABASE_REPLICA_URLS.map((url) => {
      const parsed = new URL(url);
      const connection = new PostgreSqlConnection(
        orm.config,
        { clientUrl: url, pool: orm.config.get('pool'), driverOptions: orm.config.get('driverOptions') },
        'read',
      );
      return { name: `${parsed.hostname}:${parsed.port || 5432}`, connection, checkedAt: 0, downUntil: 0 };
    });
  }

  get enabled(): boolean {
    return this.replicas.length > 0;
  }

  /**
   * A replica that has replayed at least `position` (any live one when undefined), taken in turn;
   * undefined when none has: the primary serves the read.
   */
  async caughtUp(position: string | undefined): Promise<Knex | undefined> {
    const needed = position ? parseLsn(position) : 0n;
    const count = this.replicas.length;
    const start = this.next++ % Math.max(count, 1);
    for (let i = 0; i < count; i++) {
      const replica = this.replicas[(start + i) % count];
      const now = Date.now();
      if (now < replica.downUntil) continue;
      const fresh = now - replica.checkedAt < FRESH_MS;
      // Replay only moves forward: a cached position that is enough stays enough.
      if (fresh && replica.replayed !== undefined && replica.replayed >= needed)
        return replica.connection.getKnex();
      const replayed = await this.probe(replica);
      if (replayed !== undefined && replayed >= needed) return replica.connection.getKnex();
    }
    return undefined;
  }

  private async probe(replica: Replica): Promise<bigint | undefined> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = (await Promise.race([
        replica.connection.getKnex().raw('select pg_last_wal_replay_lsn()::text as lsn'),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('replay position probe timed out')), PROBE_TIMEOUT_MS);
        }),
      ])) as { rows: { lsn: string | null }[] };
      const lsn = result.rows[0]?.lsn;
      // Null: the server is not in recovery (promoted, or not a replica): its answers are not the primary's.
      if (!lsn) throw new Error('not a replica (pg_last_wal_replay_lsn() is null)');
      replica.replayed = parseLsn(lsn);
      replica.checkedAt = Date.now();
      return replica.replayed;
    } catch (err) {
      replica.downUntil = Date.now() + DOWN_FOR_MS;
      replica.replayed = undefined;
      this.logger.warn({ err, replica: replica.name }, 'read replica unavailable: reads go to the primary');
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.replicas.map((replica) => replica.connection.close(true).catch(() => undefined)));
  }
}
