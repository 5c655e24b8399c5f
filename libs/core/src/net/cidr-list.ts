import { isIP } from 'node:net';
import * as ipaddr from 'ipaddr.js';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** What the allowlists know of one client address. */
export interface ClientPeer {
  /** Null when the address cannot be read or is not an IP address. */
  address: ipaddr.IPv4 | ipaddr.IPv6 | null;
  /** The address as the audit row and the errors show it (IPv4-mapped IPv6 folded to IPv4). */
  text: string | null;
  /** Whether the global list admits it: ALLOW_CIDRS, and loopback always. */
  allowedGlobally: boolean;
}

/**
 * An address as the allowlists see it: IPv4-mapped IPv6 (`::ffff:10.0.0.1`), what a dual-stack
 * listener reports for an IPv4 peer, becomes plain IPv4. Every other IPv6 address stays IPv6,
 * IPv4-compatible ones (`::10.0.0.1`, deprecated by RFC 4291) included: those are a host of their
 * own that any IPv6 peer can use as its source, not the IPv4 host they spell.
 */
export function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const withoutZone = bare.split('%')[0];
  const address = readAddress(withoutZone);
  return address && foldMapped(address);
}

/**
 * The address `text` spells, IPv4 or IPv6, nothing folded. node:net is strict where ipaddr.js also
 * takes legacy forms like `10.1.2` or `0x0a.1.2.3`; and ipaddr.js reads `::a.b.c.d` as if it were
 * `::ffff:a.b.c.d`, so an IPv6 address's trailing dotted quad is turned into its two hex groups first.
 */
function readAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  const family = isIP(text);
  if (family === 0) return null;
  if (family === 4) return ipaddr.IPv4.parse(text);
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (!tail.includes('.')) return ipaddr.IPv6.parse(text);
  const [a, b, c, d] = tail.split('.').map(Number);
  return ipaddr.IPv6.parse(`${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`);
}

function foldMapped(address: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() ? (address as ipaddr.IPv6).toIPv4Address() : address;
}

/**
 * Parses `10.0.0.0/8`, `fd00::/8`, a bare address (a single host) or an IPv4-mapped IPv6 range
 * (`::ffff:10.0.0.0/104`, folded into its IPv4 equivalent). Returns null when the text is not one.
 */
export function parseCidr(text: string): Range | null {
  const value = text.trim();
  if (!value.includes('/')) {
    const address = parseAddress(value);
    return address ? [address, address.kind() === 'ipv4' ? 32 : 128] : null;
  }
  const match = /^([0-9a-fA-F:.]+)\/(\d{1,3})$/.exec(value);
  const address = match ? readAddress(match[1]) : null;
  if (!match || !address) return null;
  const bits = Number(match[2]);
  if (bits > (address.kind() === 'ipv4' ? 32 : 128)) return null;
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
    return [(address as ipaddr.IPv6).toIPv4Address(), bits - 96];
  }
  return [address, bits];
}

/** Canonical text of a range: the network address and prefix length (`10.1.2.3/8` → `10.0.0.0/8`). */
export function canonicalCidr(text: string): string | null {
  const range = parseCidr(text);
  if (!range) return null;
  const [address, bits] = range;
  const network =
    address.kind() === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(`${address.toString()}/${bits}`)
      : ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${bits}`);
  return `${network.toString()}/${bits}`;
}

export function isLoopback(address: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  return address.range() === 'loopback';
}

/** A fixed set of ranges, matched against client addresses of either family. */
export class CidrList {
  private readonly ranges: Range[];

  constructor(readonly cidrs: readonly string[]) {
    this.ranges = cidrs.map((cidr) => {
      const range = parseCidr(cidr);
      if (!range) throw new Error(`not a CIDR range: ${cidr}`);
      return range;
    });
  }

  get isEmpty(): boolean {
    return this.ranges.length === 0;
  }

  contains(address: ipaddr.IPv4 | ipaddr.IPv6): boolean {
    return this.ranges.some(([network, bits]) => network.kind() === address.kind() && address.match(network, bits));
  }
}
