import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

interface ProcStat {
  ppid: number;
  /** user + system time of the process itself, in ticks. */
  own: number;
  /** user + system time of its children it has waited for, in ticks. */
  children: number;
}

function procStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return {
      ppid: Number(fields[1]),
      own: Number(fields[11]) + Number(fields[12]),
      children: Number(fields[13]) + Number(fields[14]),
    };
  } catch {
    return null;
  }
}

/** CPU time a process has used, in milliseconds; null where /proc is not there. */
export function processCpuMs(pid: number): number | null {
  const stat = procStat(pid);
  return stat ? (stat.own / clockTicks()) * 1000 : null;
}

/**
 * CPU time of a PostgreSQL cluster, in milliseconds: the postmaster, its live children (the
 * backends serving the connections) and the children that already exited.
 */
export function clusterCpuMs(postmasterPid: number): number | null {
  const postmaster = procStat(postmasterPid);
  if (!postmaster) return null;
  let ticks = postmaster.own + postmaster.children;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat?.ppid === postmasterPid) ticks += stat.own;
  }
  return (ticks / clockTicks()) * 1000;
}

/** CPU time the whole machine has spent busy (all cores, idle and I/O wait excluded), in milliseconds. */
export function machineBusyMs(): number | null {
  try {
    const [cpu] = readFileSync('/proc/stat', 'utf8').split('\n');
    // cpu  user nice system idle iowait irq softirq steal ...
    const [user, nice, system, , , irq, softirq, steal] = cpu.trim().split(/\s+/).slice(1).map(Number);
    return ((user + nice + system + irq + softirq + (steal || 0)) / clockTicks()) * 1000;
  } catch {
    return null;
  }
}
