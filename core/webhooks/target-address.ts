/**
 * Where a webhook may be sent. In production (WEBHOOK_ALLOW_PRIVATE_URLS unset or false) only
 * https, and only to public addresses: the name is resolved at send time and every address it
 * resolves to is checked, and the request then goes to the checked address itself, so a name
 * that resolves elsewhere a moment later (DNS rebinding) reaches nothing we did not check.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

const refused = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT (and some clouds' metadata, 100.100.100.200)
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, the cloud metadata address 169.254.169.254
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  refused.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96], // NAT64: an IPv4 address in disguise
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local (AWS's metadata fd00:ec2::254 among them)
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const)
  refused.addSubnet(network, prefix, 'ipv6');

const MAPPED_V4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

/** Whether an IP address is loopback, private, link-local, metadata or otherwise not public. */
export function isNonPublicAddress(address: string): boolean {
  const mapped = MAPPED_V4.exec(address)?.[1];
  if (mapped) return isNonPublicAddress(mapped);
  const family = isIP(address);
  if (family === 0) return true;
  return refused.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export type TargetCheck =
  | { ok: true; url: URL; pinned?: { address: string; family: number } }
  | { ok: false; reason: string };

const hostOf = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');

/** Whether a subscription's URL may be sent to now, and the address to send to. */
export async function checkTarget(raw: string, allowPrivate: boolean): Promise<TargetCheck> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'not a URL' };
  }
  if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:'))
    return { ok: false, reason: `refused scheme ${url.protocol} (only https)` };
  if (allowPrivate) return { ok: true, url };
  const host = hostOf(url);
  const addresses = isIP(host)
    ? [{ address: host, family: isIP(host) }]
    : await lookup(host, { all: true, verbatim: true }).catch(() => []);
  if (addresses.length === 0) return { ok: false, reason: `${host} does not resolve` };
  const bad = addresses.find((a) => isNonPublicAddress(a.address));
  if (bad) return { ok: false, reason: `refused: ${host} resolves to the non-public address ${bad.address}` };
  const [first] = addresses;
  return first ? { ok: true, url, pinned: first } : { ok: false, reason: `${host} does not resolve` };
}

/**
 * What can be refused as soon as a URL is subscribed, before any DNS: a scheme other than https,
 * and a host that is a non-public address or `localhost` itself. Names are checked again, after
 * resolving them, at every send (checkTarget): they may point anywhere later.
 */
export function refusedWhenSubscribed(raw: string, allowPrivate: boolean): string | undefined {
  if (allowPrivate) return undefined;
  const url = new URL(raw);
  if (url.protocol !== 'https:') return 'Only https URLs are allowed.';
  const host = hostOf(url).toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || (isIP(host) && isNonPublicAddress(host)))
    return `${host} is not a public address.`;
  return undefined;
}

/** The URL to connect to: the checked address in place of the name (the name goes in Host and SNI). */
export function pinnedUrl(url: URL, pinned: { address: string; family: number }): URL {
  const to = new URL(url);
  to.hostname = pinned.family === 6 ? `[${pinned.address}]` : pinned.address;
  return to;
}
