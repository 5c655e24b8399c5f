import { execFile, execFileSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import * as path from 'node:path';

const PEER_CLIENT = path.join(__dirname, '..', 'fixtures', 'peer-client', 'peer-client.js');

/** Namespaces this process made and has not removed yet: removed at exit whatever happened. */
const alive = new Set<PeerNamespace>();
process.once('exit', () => {
  for (const namespace of alive) namespace.destroy();
});

/** Whether this machine lets the tests make network namespaces (root, iproute2, a kernel that allows it). */
export function netnsAvailable(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = `cfprobe${randomBytes(3).toString('hex')}`;
  try {
    ip('netns', 'add', probe);
    ip('netns', 'del', probe);
    return true;
  } catch {
    return false;
  }
}

export interface PeerRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface PeerAnswer {
  status: number;
  body: string;
}

export interface PeerNamespaceOptions {
  /** More IPv6 addresses the peer holds (each a /128 routed to it), to send from: `::127.0.0.1`, say. */
  extraIPv6?: string[];
}

/**
 * A host on another network, as far as a server in this namespace can tell: a network namespace
 * joined to this one by a veth pair, an IPv4 /24 from 198.18.0.0/15 (the benchmarking range) and
 * an IPv6 /64 from fd00:cf::/32 on the link, the server's side holding `.1` / `::1`, the peer's
 * `.2` / `::2`. Traffic goes only between the two ends. Needs root; `destroy()` removes it all.
 */
export class PeerNamespace {
  readonly name: string;
  readonly hostIPv4: string;
  readonly peerIPv4: string;
  readonly hostIPv6: string;
  readonly peerIPv6: string;
  private readonly hostLink: string;
  private destroyed = false;

  private constructor(id: string, v4Net: string, v6Net: string) {
    this.name = `cf-peer-${id}`;
    this.hostLink = `cfh${id}`;
    this.hostIPv4 = `${v4Net}.1`;
    this.peerIPv4 = `${v4Net}.2`;
    this.hostIPv6 = `${v6Net}::1`;
    this.peerIPv6 = `${v6Net}::2`;
  }

  static create(options: PeerNamespaceOptions = {}): PeerNamespace {
    const taken = execFileSync('ip', ['-o', 'addr'], { encoding: 'utf8' });
    let v4Net: string;
    let v6Net: string;
    do {
      v4Net = `198.${randomInt(18, 20)}.${randomInt(1, 255)}`;
      v6Net = `fd00:cf:${randomInt(1, 0xffff).toString(16)}`;
    } while (taken.includes(` ${v4Net}.`) || taken.includes(` ${v6Net}:`));
    const namespace = new PeerNamespace(randomBytes(4).toString('hex'), v4Net, v6Net);
    alive.add(namespace);
    try {
      namespace.build(options);
    } catch (error) {
      namespace.destroy();
      throw error;
    }
    return namespace;
  }

  private build(options: PeerNamespaceOptions): void {
    const peerLink = this.hostLink.replace(/^cfh/, 'cfp');
    const inside = (...args: string[]) => ip('netns', 'exec', this.name, 'ip', ...args);
    ip('netns', 'add', this.name);
    ip('link', 'add', this.hostLink, 'type', 'veth', 'peer', 'name', peerLink);
    ip('link', 'set', peerLink, 'netns', this.name);
    ip('addr', 'add', `${this.hostIPv4}/24`, 'dev', this.hostLink);
    // nodad: usable at once, not after a second of duplicate address detection.
    ip('-6', 'addr', 'add', `${this.hostIPv6}/64`, 'dev', this.hostLink, 'nodad');
    ip('link', 'set', this.hostLink, 'up');
    inside('link', 'set', 'lo', 'up');
    inside('addr', 'add', `${this.peerIPv4}/24`, 'dev', peerLink);
    inside('-6', 'addr', 'add', `${this.peerIPv6}/64`, 'dev', peerLink, 'nodad');
    for (const address of options.extraIPv6 ?? []) inside('-6', 'addr', 'add', `${address}/128`, 'dev', peerLink, 'nodad');
    inside('link', 'set', peerLink, 'up');
    for (const address of options.extraIPv6 ?? []) ip('-6', 'route', 'add', `${address}/128`, 'via', this.peerIPv6, 'dev', this.hostLink);
  }

  /**
   * Sends `requests` one after another from inside the namespace to `host`:`port` (the server's
   * side of the link), from `from` when given (one of the peer's addresses), else the address the
   * kernel picks. Resolves with each answer's status (0 when the connection failed) and body.
   */
  async request(host: string, port: number, requests: PeerRequest[], from?: string): Promise<PeerAnswer[]> {
    return (await this.client({ host, port, localAddress: from, requests })).answers as PeerAnswer[];
  }

  /** Sends `request` `count` times over `concurrency` keep-alive connections; resolves with how many of each status came back. */
  async flood(host: string, port: number, request: PeerRequest, count: number, concurrency: number, from?: string): Promise<{ statuses: Record<string, number>; ms: number }> {
    return (await this.client({ host, port, localAddress: from, flood: { ...request, count, concurrency } })).flood as { statuses: Record<string, number>; ms: number };
  }

  private client(plan: object): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      execFile('ip', ['netns', 'exec', this.name, process.execPath, PEER_CLIENT, JSON.stringify(plan)], { maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) => {
        if (error) return reject(new Error(`peer client in ${this.name}: ${error.message}\n${stderr}`));
        resolve(JSON.parse(stdout) as Record<string, unknown>);
      });
    });
  }

  /** Removes the namespace, which takes the peer's end of the link, the host's end and its routes with it. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    alive.delete(this);
    for (const args of [['netns', 'del', this.name], ['link', 'del', this.hostLink]]) {
      try {
        ip(...args);
      } catch {
        // already gone
      }
    }
  }
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}
