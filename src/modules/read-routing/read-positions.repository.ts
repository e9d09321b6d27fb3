import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { sql } from '../../database/sql';

/** The only writer of read_positions; always on the primary (never inside a routed read). */
@Injectable()
export class ReadPositionsRepository {
  constructor(private readonly em: EntityManager) {}

  /** Keeps the primary's WAL insert position, taken after the caller's write committed. */
  async recordWrite(caller: string): Promise<void> {
    await sql(
      this.em.fork(),
      `insert into read_positions as p (caller, position) values (?, pg_current_wal_insert_lsn())
       on conflict (caller) do update
         set position = greatest(p.position, excluded.position), updated_at = now()`,
      [caller],
      { name: 'read_position_record' },
    );
  }

  /** The caller's last write position (`16/B374D848`), or undefined if they never wrote. */
  async lastWrite(caller: string): Promise<string | undefined> {
    const [row] = await sql<{ position: string }>(
      this.em.fork(),
      `select position::text as position from read_positions where caller = ?`,
      [caller],
      { name: 'read_position_of' },
    );
    return row?.position;
  }
}
