import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface RunningProcess {
  pid: number;
  baseUrl: string;
  /** The last lines it printed, for the error message when it fails. */
  output(): string;
  /** Peak resident memory so far (VmHWM), in MB; null where /proc is not there. */
  peakRssMb(): number | null;
  stop(): Promise<void>;
}

/**
 * Starts `node <script>` on a loopback port and waits until `readyPath` answers 200 (60 s at most).
 */
export async function startNodeProcess(options: {
  script: string;
  port: number;
  env: Record<string, string>;
  readyPath: string;
  /** Flags for node itself, such as `-r <preload>`. */
  nodeArgs?: string[];
}): Promise<RunningProcess> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.script], {
    env: { PATH: process.env.PATH ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - 40));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const baseUrl = `http://127.0.0.1:${options.port}`;
  const running: RunningProcess = {
    pid: child.pid!,
    baseUrl,
    output: () => lines.join('\n'),
    peakRssMb: () => peakRssMb(child.pid!),
    stop: () => stopChild(child),
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`${options.script} exited with ${child.exitCode}:\n${running.output()}`);
    }
    try {
      const response = await fetch(baseUrl + options.readyPath);
      if (response.status === 200) return running;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await running.stop();
  throw new Error(`${options.script} was not ready within 60 s:\n${running.output()}`);
}

function peakRssMb(pid: number): number | null {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
