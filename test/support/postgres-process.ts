import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';

/**
 * An embedded PostgreSQL that a test can stop and start again on the same data directory and
 * port. It runs in a child process: the package is ESM-only, which jest's sandbox cannot import.
 */
export class PostgresProcess {
  private constructor(
    private child: ChildProcess,
    readonly url: string,
    private readonly dataDir: string,
  ) {}

  static async start(dataDir: string, port?: number): Promise<PostgresProcess> {
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', __filename, dataDir, String(port ?? '')],
      { cwd: join(__dirname, '..', '..'), stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const lines = createInterface({ input: child.stdout! });
    const [url] = (await Promise.race([
      once(lines, 'line'),
      once(child, 'exit').then(() => {
        throw new Error('embedded PostgreSQL did not start');
      }),
    ])) as [string];
    return new PostgresProcess(child, url, dataDir);
  }

  get port(): number {
    return Number(new URL(this.url).port);
  }

  /** A fast shutdown: the server ends every session (57P01) and refuses connections until started. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.stdin!.end();
    await exited;
  }

  async restart(): Promise<void> {
    await this.stop();
    const next = await PostgresProcess.start(this.dataDir, this.port);
    this.child = next.child;
  }
}

// The child: start, print the URL, stop when the parent closes stdin.
if (require.main === module) {
  const [dataDir, port] = process.argv.slice(2);
  void startEmbeddedPostgres(dataDir, { port: port ? Number(port) : undefined }).then((running) => {
    process.stdout.write(`${running.url}\n`);
    process.stdin.resume();
    process.stdin.on('end', () => void running.stop().then(() => process.exit(0)));
  });
}
