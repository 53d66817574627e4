/**
 * Where a benchmark's CPU goes, by part of the stack: every process's user + system time from
 * /proc between two snapshots, grouped by what the process is (Postgres backends, the edge's
 * workerd, the jobs runner, this process where core runs, the load generator). On 2 cores the
 * parts share the same CPU, so a part's CPU per request is what it takes from the others.
 * Only this process and its descendants count (the bench starts Postgres and the rest itself),
 * so other work on the machine does not. Processes that start and end between two snapshots
 * are not counted; on a system without /proc (not Linux) the snapshot is empty.
 */
import { readdirSync, readFileSync } from 'node:fs';

export type CpuSnapshot = Map<number, { part: string; ticks: number }>;

/** Linux's USER_HZ: what /proc/<pid>/stat counts CPU time in. */
const TICKS_PER_SECOND = 100;

function partOf(pid: number, comm: string, cmdline: string): string {
  if (pid === process.pid) return 'core (the bench process)';
  if (comm === 'postgres') return 'postgres';
  if (comm === 'workerd') return 'edge (workerd)';
  if (cmdline.includes('wrangler')) return 'wrangler dev (node)';
  if (cmdline.includes('jobs-process')) return 'jobs runner';
  if (cmdline.includes('order-load')) return 'load generator';
  if (cmdline.includes('pgbench')) return 'pgbench';
  return 'other';
}

interface ProcessStat {
  ppid: number;
  comm: string;
  ticks: number;
}

function readStat(pid: number): ProcessStat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm is in parentheses and may hold spaces; the fields after it are space-separated.
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    return {
      ppid: Number(fields[1]),
      comm: stat.slice(stat.indexOf('(') + 1, close),
      ticks: Number(fields[11]) + Number(fields[12]), // utime, stime
    };
  } catch {
    return undefined; // gone meanwhile
  }
}

function isOurs(pid: number, stats: Map<number, ProcessStat>): boolean {
  for (let p: number | undefined = pid, hops = 0; p && hops < 64; p = stats.get(p)?.ppid, hops++)
    if (p === process.pid) return true;
  return false;
}

export function cpuSnapshot(): CpuSnapshot {
  const snapshot: CpuSnapshot = new Map();
  const stats = new Map<number, ProcessStat>();
  try {
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      const stat = readStat(Number(name));
      if (stat) stats.set(Number(name), stat);
    }
  } catch {
    return snapshot;
  }
  for (const [pid, stat] of stats) {
    if (!isOurs(pid, stats)) continue;
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {}
    snapshot.set(pid, { part: partOf(pid, stat.comm, cmdline), ticks: stat.ticks });
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
