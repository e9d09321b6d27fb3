import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export type TargetCheck =
  | { ok: true; address: ResolvedAddress }
  | { ok: false; reason: 'unresolvable' | 'not_allowed'; address?: string };

/**
 * Addresses a webhook must not reach unless the operator allows them: private networks, loopback,
 * link-local (cloud metadata at 169.254.169.254), shared and benchmark ranges, multicast, reserved
 * and unspecified addresses, and documentation prefixes, in IPv4 and IPv6.
 */
const INTERNAL = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  INTERNAL.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['100::', 64],
  ['2001::', 32],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  INTERNAL.addSubnet(network, prefix, 'ipv6');

/** The 16 bytes of an IPv6 address (which may end in dotted IPv4). */
function ipv6Bytes(address: string): number[] {
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number);
    text =
      text.slice(0, -dotted[1]!.length) + `${((a! << 8) | b!).toString(16)}:${((c! << 8) | d!).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const left = groups(head);
  const right = groups(tail);
  const all =
    tail === undefined
      ? left
      : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return all.flatMap((group) => {
    const value = parseInt(group, 16);
    return [value >> 8, value & 0xff];
  });
}

/**
 * The IPv4 address an IPv6 address carries to an IPv4 host, if any: IPv4-mapped (::ffff:a.b.c.d),
 * IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d) and 6to4 (2002:aabb:ccdd::). Such an
 * address is judged by the IPv4 host it reaches, so `[::ffff:127.0.0.1]` is loopback.
 */
function embeddedIpv4(address: string): string | undefined {
  const bytes = ipv6Bytes(address);
  const v4 = (at: number) => bytes.slice(at, at + 4).join('.');
  const zeros = (from: number, to: number) => bytes.slice(from, to).every((byte) => byte === 0);
  if (zeros(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return v4(12);
  if (zeros(0, 12) && !zeros(12, 16) && !(zeros(12, 15) && bytes[15] === 1)) return v4(12);
  if (bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zeros(4, 12))
    return v4(12);
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return v4(2);
  return undefined;
}

/** Which targets may be reached, from WEBHOOK_ALLOW_PRIVATE_TARGETS. */
export class TargetPolicy {
  private readonly allowAll: boolean;
  private readonly allowed = new BlockList();

  constructor(allowedRanges: readonly string[]) {
    this.allowAll = allowedRanges.includes('all');
    for (const range of allowedRanges) {
      if (range === 'all') continue;
      const [network, prefix] = range.split('/');
      const family = isIP(network!);
      if (family === 0) throw new Error(`WEBHOOK_ALLOW_PRIVATE_TARGETS: ${range} is not a CIDR range`);
      this.allowed.addSubnet(network!, Number(prefix), family === 4 ? 'ipv4' : 'ipv6');
    }
  }

  /** True when a webhook may connect to this IP address. */
  permits(address: string): boolean {
    if (this.allowAll) return true;
    const family = isIP(address);
    if (family === 0) return false;
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (this.allowed.check(address, type)) return true;
    if (family === 6) {
      const v4 = embeddedIpv4(address);
      if (v4 !== undefined) return this.permits(v4);
    }
    return !INTERNAL.check(address, type);
  }

  /**
   * Resolves the URL's host and checks every address it resolves to; the caller connects to the
   * address answered, never resolving again, so a DNS answer that changes between the check and the
   * connection (rebinding) cannot lead it elsewhere.
   */
  async check(url: URL, timeoutMs: number): Promise<TargetCheck> {
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    let addresses: ResolvedAddress[];
    if (isIP(host) !== 0) addresses = [{ address: host, family: isIP(host) as 4 | 6 }];
    else {
      try {
        addresses = (await withTimeout(lookup(host, { all: true, verbatim: true }), timeoutMs)).map(
          (entry) => ({ address: entry.address, family: entry.family as 4 | 6 }),
        );
      } catch {
        return { ok: false, reason: 'unresolvable' };
      }
    }
    if (addresses.length === 0) return { ok: false, reason: 'unresolvable' };
    const refused = addresses.find((entry) => !this.permits(entry.address));
    if (refused) return { ok: false, reason: 'not_allowed', address: refused.address };
    return { ok: true, address: addresses[0]! };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
