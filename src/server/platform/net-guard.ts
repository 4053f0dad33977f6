import dns from 'node:dns/promises';
import net from 'node:net';
import { domainToASCII } from 'node:url';

/**
 * Outgoing connections to hosts that an administrator types (mail servers; webhooks later) must not reach the
 * machine itself or the networks behind it: that would make the app a port scanner of its own network and a
 * way into cloud metadata. `assertPublicHost` resolves the name once, refuses it when ANY address is internal,
 * and returns the addresses: callers connect to one of them (never to the name again, so a second DNS answer
 * cannot point elsewhere) and present the name only for TLS (`serverName`).
 */

export type NetGuardFailure = 'host_not_allowed' | 'host_not_found';

export class NetGuardError extends Error {
  constructor(
    readonly kind: NetGuardFailure,
    readonly host: string,
  ) {
    super(kind === 'host_not_allowed' ? 'host is on an internal network' : 'host name does not resolve');
    this.name = 'NetGuardError';
  }
}

/** Resolves a host name to its addresses (all of them). Injected by tests, which never ask real DNS. */
export type Lookup = (name: string) => Promise<string[]>;

const systemLookup: Lookup = async (name) => (await dns.lookup(name, { all: true, order: 'verbatim' })).map((a) => a.address);

function blockList(rules: [string, number, 'ipv4' | 'ipv6'][]): net.BlockList {
  const list = new net.BlockList();
  for (const [address, prefix, type] of rules) list.addSubnet(address, prefix, type);
  return list;
}

/**
 * IPv4 ranges that are not the public internet (IANA special-purpose registry). A BlockList also matches
 * IPv4-mapped IPv6 forms (::ffff:127.0.0.1) against these.
 */
const INTERNAL_V4 = blockList([
  ['0.0.0.0', 8, 'ipv4'], // "this network", 0.0.0.0
  ['10.0.0.0', 8, 'ipv4'], // private
  ['100.64.0.0', 10, 'ipv4'], // carrier-grade NAT (also a cloud metadata address, 100.100.100.200)
  ['127.0.0.0', 8, 'ipv4'], // loopback
  ['169.254.0.0', 16, 'ipv4'], // link-local (cloud metadata 169.254.169.254)
  ['172.16.0.0', 12, 'ipv4'], // private
  ['192.0.0.0', 24, 'ipv4'], // IETF protocol assignments (a cloud metadata address, 192.0.0.192)
  ['192.0.2.0', 24, 'ipv4'], // documentation
  ['192.88.99.0', 24, 'ipv4'], // 6to4 relay (deprecated)
  ['192.168.0.0', 16, 'ipv4'], // private
  ['198.18.0.0', 15, 'ipv4'], // benchmarking
  ['198.51.100.0', 24, 'ipv4'], // documentation
  ['203.0.113.0', 24, 'ipv4'], // documentation
  ['224.0.0.0', 4, 'ipv4'], // multicast
  ['240.0.0.0', 4, 'ipv4'], // reserved, and the broadcast address
]);

/** IPv6: only global unicast (2000::/3) is public — this leaves out ::1, ::, mapped and compatible IPv4, NAT64, fc00::/7, fe80::/10, ff00::/8. */
const GLOBAL_V6 = blockList([['2000::', 3, 'ipv6']]);
/** ...and inside it, the ranges that carry other addresses (6to4, Teredo) or are not routed. */
const INTERNAL_V6 = blockList([
  ['2001::', 23, 'ipv6'], // IETF protocol assignments: Teredo, benchmarking, ORCHID
  ['2001:db8::', 32, 'ipv6'], // documentation
  ['2002::', 16, 'ipv6'], // 6to4: embeds any IPv4 address
  ['3fff::', 20, 'ipv6'], // documentation
]);

/** Cloud metadata services: refused even when an allow-list range covers them (no mail server lives there). */
const METADATA = new net.BlockList();
for (const a of ['169.254.169.254', '100.100.100.200', '192.0.0.192', '168.63.129.16']) METADATA.addAddress(a, 'ipv4');
METADATA.addAddress('fd00:ec2::254', 'ipv6');

const HOST_NAME = /^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*$/;

type Normalised = { kind: 'address'; address: string } | { kind: 'name'; name: string } | { kind: 'invalid' } | { kind: 'zoned' };

/**
 * The host as the network stack would read it: trimmed, without [brackets] or trailing dots, then through
 * the WHATWG URL host parser (IDNA and NFKC-style mapping to ASCII, lower case, and IPv4 in any legacy form
 * — 2130706433, 0x7f.1, 0177.0.0.1 — to dotted decimal).
 */
function normalise(host: string): Normalised {
  let h = host.trim();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.includes(':')) {
    // IPv6; one with a %zone names a local interface: refused like a link-local address
    const [address, zone] = h.split('%', 2);
    if (!address || !net.isIPv6(address)) return { kind: 'invalid' };
    return zone === undefined ? { kind: 'address', address } : { kind: 'zoned' };
  }
  // The URL parser would read "a/b" as host "a": anything that ends or qualifies a URL host is not a host name.
  if (/[\s/\\?#@%]/.test(h)) return { kind: 'invalid' };
  const ascii = domainToASCII(h.replace(/\.+$/, '')).replace(/\.+$/, '');
  if (!ascii) return { kind: 'invalid' };
  if (net.isIPv4(ascii)) return { kind: 'address', address: ascii };
  return HOST_NAME.test(ascii) ? { kind: 'name', name: ascii } : { kind: 'invalid' };
}

interface AllowList {
  addresses: net.BlockList;
  names: Set<string>;
}

function parseEntry(entry: string): { address: [string, number, 'ipv4' | 'ipv6'] } | { name: string } | null {
  const e = entry.trim();
  if (e.includes('%')) return null;
  const [base = '', prefixText, extra] = e.split('/');
  if (extra !== undefined) return null;
  const family = net.isIP(base);
  if (family) {
    const max = family === 4 ? 32 : 128;
    if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return null;
    const prefix = prefixText === undefined ? max : Number(prefixText);
    return prefix <= max ? { address: [base, prefix, family === 4 ? 'ipv4' : 'ipv6'] } : null;
  }
  if (prefixText !== undefined) return null;
  const n = normalise(e);
  return n.kind === 'name' ? { name: n.name } : null;
}

function parseAllowList(entries: readonly string[]): AllowList {
  const list: AllowList = { addresses: new net.BlockList(), names: new Set() };
  for (const entry of entries) {
    const parsed = parseEntry(entry);
    if (!parsed) throw new Error(`not an address, CIDR range or host name: ${entry}`);
    if ('name' in parsed) list.names.add(parsed.name);
    else list.addresses.addSubnet(...parsed.address);
  }
  return list;
}

/** The entries of an allow-list that are not an IP address, a CIDR range or a host name (for config validation). */
export function allowListProblems(entries: readonly string[]): string[] {
  return entries.filter((e) => parseEntry(e) === null);
}

function isPublic(address: string, family: 4 | 6): boolean {
  if (family === 4) return !INTERNAL_V4.check(address, 'ipv4');
  return GLOBAL_V6.check(address, 'ipv6') && !INTERNAL_V6.check(address, 'ipv6');
}

function allowed(address: string, allow: AllowList, nameAllowed: boolean): boolean {
  const family = net.isIP(address);
  if ((family !== 4 && family !== 6) || address.includes('%')) return false; // not an address to connect to (a zone: a local interface)
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (METADATA.check(address, type)) return false;
  return nameAllowed || isPublic(address, family) || allow.addresses.check(address, type);
}

/**
 * Resolve `host` and return its addresses when every one of them is public, or named by `allowList` (IP
 * addresses, CIDR ranges, host names); cloud metadata addresses never. Throws NetGuardError: `host_not_allowed`,
 * or `host_not_found` for a name that does not resolve or is not a host name. Address literals are never looked up.
 */
export async function assertPublicHost(host: string, allowList: readonly string[], options: { lookup?: Lookup } = {}): Promise<string[]> {
  const allow = parseAllowList(allowList);
  const n = normalise(host);
  if (n.kind === 'invalid') throw new NetGuardError('host_not_found', host);
  if (n.kind === 'zoned') throw new NetGuardError('host_not_allowed', host);
  let addresses: string[];
  if (n.kind === 'address') {
    addresses = [n.address];
  } else {
    try {
      addresses = await (options.lookup ?? systemLookup)(n.name);
    } catch {
      throw new NetGuardError('host_not_found', host);
    }
    if (!addresses.length) throw new NetGuardError('host_not_found', host);
  }
  const nameAllowed = n.kind === 'name' && allow.names.has(n.name);
  if (!addresses.every((a) => allowed(a, allow, nameAllowed))) throw new NetGuardError('host_not_allowed', host);
  return addresses;
}

/** The name to present (SNI) and verify in TLS when connecting to a checked address: the host name, none for an address literal. */
export function serverName(host: string): string | undefined {
  const n = normalise(host);
  return n.kind === 'name' ? n.name : undefined;
}
