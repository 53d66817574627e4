/**
 * Where a benchmark's CPU goes, by part of the stack: every process's user + system time from
 * /proc between two snapshots, grouped by what the process is (Postgres backends, the edge's
 * workerd, the jobs runner, this process where core runs, the load generator). On 2 cores the
 * parts share the same CPU, so a part's CPU per request is what it takes from the others.
 * Every process on the machine of those kinds counts, so run it alone. Processes that start
 * and end between two snapshots are not counted; on a system without
 * /proc (not Linux) the snapshot is empty.
 */
import { readdirSync, readFileSync } from 'node:fs';

export type CpuSnapshot = Map<number, { part: string; ticks: number }>;

/** Linux's USER_HZ: what /proc/<pid>/stat counts CPU time in. */
const TICKS_PER_SECOND = 100;

function partOf(pid: number, comm: string, cmdline: string): string | undefined {
  if (pid === process.pid) return 'core (the bench process)';
  if (comm === 'postgres') return 'postgres';
  if (comm === 'workerd') return 'edge (workerd)';
  if (cmdline.includes('wrangler')) return 'wrangler dev (node)';
  if (cmdline.includes('jobs-process')) return 'jobs runner';
  if (cmdline.includes('order-load')) return 'load generator';
  if (cmdline.includes('pgbench')) return 'pgbench';
  return undefined;
}

function read(pid: number): { part: string; ticks: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm is in parentheses and may hold spaces; the fields after it are space-separated.
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    const part = partOf(pid, comm, cmdline);
    return part ? { part, ticks } : undefined;
  } catch {
    return undefined; // gone meanwhile, or not ours to read
  }
}

export function cpuSnapshot(): CpuSnapshot {
  const snapshot: CpuSnapshot = new Map();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return snapshot;
  }
  for (const name of pids) {
    const pid = Number(name);
    const found = read(pid);
    if (found) snapshot.set(pid, found);
  }
  return snapshot;
}

/** CPU seconds per part between two snapshots (a process new in `after` counts from zero), largest first. */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): [part: string, seconds: number][] {
  const parts = new Map<string, number>();
  for (const [pid, { part, ticks }] of after) {
    const used = ticks - (before.get(pid)?.ticks ?? 0);
    parts.set(part, (parts.get(part) ?? 0) + used / TICKS_PER_SECOND);
  }
  return [...parts.entries()].sort((a, b) => b[1] - a[1]);
}
