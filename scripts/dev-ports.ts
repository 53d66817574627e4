/**
 * The ports `bun run dev` listens on, checked before it touches anything (no migration, seed or
 * process start): a second run on the same ports stops at once, naming the port, the variable
 * that sets it and, where Linux says, the process that holds it.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { portIsFree } from '../core/platform/ports.ts';

export interface DevPort {
  /** The environment variable that sets it. */
  variable: string;
  port: number;
  /** What listens there. */
  role: string;
}

/** A listening TCP socket's inode, from /proc/net/tcp{,6} (state 0A is LISTEN). */
function listeningInode(port: number): string | undefined {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue; // not Linux, or no IPv6
    }
    for (const row of text.split('\n').slice(1)) {
      const fields = row.trim().split(/\s+/);
      if (fields[1]?.endsWith(`:${hexPort}`) && fields[3] === '0A') return fields[9];
    }
  }
  return undefined;
}

/** "pid 123 (bun scripts/dev.ts)" for the process listening on a port, when /proc lets us see it. */
export function portHolder(port: number): string | undefined {
  const inode = listeningInode(port);
  if (!inode) return undefined;
  const socket = `socket:[${inode}]`;
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone, or not ours to read
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) !== socket) continue;
      } catch {
        continue;
      }
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      return `pid ${pid} (${command.length > 80 ? `${command.slice(0, 77)}...` : command})`;
    }
  }
  return undefined;
}

/** One message per taken port: which variable to set, and who holds it. Empty when all are free. */
export async function takenPorts(ports: readonly DevPort[]): Promise<string[]> {
  const problems: string[] = [];
  for (const { variable, port, role } of ports) {
    if (await portIsFree(port)) continue;
    const holder = portHolder(port);
    problems.push(
      `port ${port} (${variable}, ${role}) is in use${holder ? ` by ${holder}` : ''}: stop that, or set ${variable} to a free port.`,
    );
  }
  return problems;
}
