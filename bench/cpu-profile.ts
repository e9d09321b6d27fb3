import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where a server's CPU time went during a profiled load, by the code it ran. */
export interface CpuProfileSummary {
  /** Sampled time, idle excluded, in ms. */
  busyMs: number;
  /** Shares of the busy time (0 to 1) by part: a package, our code by module, Node, GC. */
  parts: { part: string; share: number }[];
  /** The functions with the most self time. */
  functions: { name: string; part: string; share: number }[];
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The part of the program a frame belongs to: `pkg:fastify`, `src:policy`, `node`, `gc`, ... */
export function partOf(url: string, functionName: string): string {
  if (!url) {
    if (functionName === '(garbage collector)') return 'gc';
    if (functionName === '(idle)') return 'idle';
    return 'native';
  }
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `pkg:${pkg[1]}`;
  if (url.startsWith('node:')) return 'node';
  const ours = /\/dist\/(src|bench)\/(?:modules\/)?([^/]+)/.exec(url);
  if (ours) return `${ours[1]}:${ours[2].replace(/\.js$/, '')}`;
  return 'other';
}

/** Reads the one `.cpuprofile` in `dir` (V8's format, as profile-hook.ts writes it) and sums it by part. */
export function summarizeCpuProfile(dir: string, top = 12): CpuProfileSummary {
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile in ${dir}`);
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const parts = new Map<string, number>();
  const functions = new Map<string, { part: string; us: number }>();
  let busyUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    const part = partOf(frame.url, frame.functionName);
    if (part === 'idle') continue;
    busyUs += us;
    parts.set(part, (parts.get(part) ?? 0) + us);
    const file = frame.url.replace(/^.*node_modules\//, '').replace(/^.*\/dist\//, '');
    const name =
      `${frame.functionName || '(anonymous)'} ${file ? `${file}:${frame.lineNumber + 1}` : ''}`.trim();
    const entry = functions.get(name) ?? { part, us: 0 };
    entry.us += us;
    functions.set(name, entry);
  }
  const share = (us: number) => (busyUs ? us / busyUs : 0);
  return {
    busyMs: busyUs / 1000,
    parts: [...parts]
      .map(([part, us]) => ({ part, share: share(us) }))
      .sort((a, b) => b.share - a.share)
      .slice(0, top),
    functions: [...functions]
      .map(([name, { part, us }]) => ({ name, part, share: share(us) }))
      .sort((a, b) => b.share - a.share)
      .slice(0, top),
  };
}
