import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** What the seed leaves for the bench: who the callers are and what the scenarios ask for. */
export interface BenchState {
  version: number;
  /** The database that holds the data (password masked), to refuse a state from another one. */
  database: string;
  seededAt: string;
  seedSeconds: number;
  seedSteps: { step: string; seconds: number }[];
  counts: Record<string, number>;
  bigOrganizationId: string;
  admin: { userId: string; email: string };
  sampleMember: { userId: string; email: string; projectCount: number };
  /** Projects the sample member collaborates on, for `GET /projects/{id}`. */
  sampleProjectIds: string[];
  /** The three most used tags of the big organization, for the admin's tag filter. */
  filterTagIds: string[];
  /** Two-letter prefixes the autocomplete scenario types, with how many big-org users each matches. */
  prefixes: { prefix: string; users: number }[];
  passwordOfEveryUser: string;
}

export const BENCH_STATE_VERSION = 1;

export const benchStatePath = (dataDir: string) => join(dataDir, 'bench-state.json');

export function readBenchState(dataDir: string): BenchState | undefined {
  const path = benchStatePath(dataDir);
  if (!existsSync(path)) return undefined;
  const state = JSON.parse(readFileSync(path, 'utf8')) as BenchState;
  return state.version === BENCH_STATE_VERSION ? state : undefined;
}

export function writeBenchState(dataDir: string, state: BenchState): void {
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(benchStatePath(dataDir), JSON.stringify(state, null, 2) + '\n');
}
