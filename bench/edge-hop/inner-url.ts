/**
 * `wrangler dev` runs two workerd processes: one holds wrangler's ProxyWorker, a Durable Object
 * that every request to the public port passes through (it queues requests while the worker
 * reloads, rewrites URL headers, injects the live-reload script into HTML), and one holds the
 * user worker behind Miniflare's entry worker on a port of its own. This finds that inner port,
 * so a benchmark can send the same request past the ProxyWorker and see what that hop costs.
 *
 * Linux only: the listening sockets of the process group wrangler leads (it starts detached, so
 * its pid is the group's id), from /proc. The inner port is the one, other than the public and
 * inspector ports, where our worker answers (its responses carry a request id).
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { REQUEST_ID_HEADER } from '../../core/platform/request-id.ts';

/** Pids whose process group is `group`. */
function groupMembers(group: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the command name (which may hold spaces): state, ppid, pgrp.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === group) pids.push(Number(entry));
    } catch {} // the process ended while we looked
  }
  return pids;
}

/** Socket inodes the process holds open. */
function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`, { encoding: 'utf8' });
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode) inodes.add(inode);
    }
  } catch {}
  return inodes;
}

/** TCP ports in LISTEN state (0A) whose socket inode is one of `inodes`. */
function listeningPorts(inodes: Set<string>): number[] {
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const [, local, , state] = cols;
      if (state !== '0A' || !local || !inodes.has(cols[9] ?? '')) continue;
      ports.push(Number.parseInt(local.split(':')[1] ?? '0', 16));
    }
  }
  return [...new Set(ports)];
}

/**
 * The URL of the user worker's own workerd port behind wrangler dev's ProxyWorker, if found. A few
 * tries: on a busy machine a probe can outlast its timeout.
 */
export async function innerWorkerUrl(
  wranglerPid: number | undefined,
  publicUrl: string,
): Promise<string | undefined> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const found = await findInnerWorkerUrl(wranglerPid, publicUrl);
    if (found) return found;
  }
  return undefined;
}

async function findInnerWorkerUrl(
  wranglerPid: number | undefined,
  publicUrl: string,
): Promise<string | undefined> {
  if (wranglerPid === undefined) return undefined;
  const inodes = new Set(groupMembers(wranglerPid).flatMap((pid) => [...socketInodes(pid)]));
  const publicPort = Number(new URL(publicUrl).port);
  for (const port of listeningPorts(inodes)) {
    if (port === publicPort) continue;
    const url = `http://127.0.0.1:${port}`;
    try {
      const res = await fetch(`${url}/api/edge-hop-probe`, { signal: AbortSignal.timeout(5000) });
      await res.arrayBuffer();
      if (res.headers.has(REQUEST_ID_HEADER)) return url;
    } catch {} // the inspector's port, or another that does not speak plain HTTP
  }
  return undefined;
}
