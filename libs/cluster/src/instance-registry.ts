import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import * as os from 'node:os';
import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { AppConfig } from '@clawdforge/core';
import { InstanceIdentity } from './instance-identity';

/** How often an instance marks itself alive, and how long after its last mark the others give up on it. */
export const INSTANCE_HEARTBEAT_MS = 10_000;
export const INSTANCE_STALE_MS = 45_000;
/** A forwarded request older (or newer) than this is refused: a captured one cannot be replayed later. */
const FORWARD_MAX_SKEW_MS = 30_000;

/** The headers a forwarding instance adds; anything else claiming them is ignored. */
export const FORWARD_HEADERS = {
  clientIp: 'x-clawdforge-forwarded-for',
  at: 'x-clawdforge-forwarded-at',
  by: 'x-clawdforge-forwarded-by',
  signature: 'x-clawdforge-forward-signature',
} as const;

export interface PeerInstance {
  id: string;
  url: string;
  /** Marked alive within INSTANCE_STALE_MS. */
  alive: boolean;
}

/**
 * The instances of the gateway that share one PostgreSQL. Each records the URL the others reach it
 * at (INSTANCE_URL, else its own address and port) and marks itself alive every few seconds, so a
 * session's turn or close that reaches the wrong instance is forwarded to the one whose acpx holds
 * it. A forwarded request carries the client's address, signed with HMAC-SHA256 under a random
 * secret kept in the database: only an instance (or whoever holds the database) can vouch for an
 * address, and a LAN client sending the same headers is treated as any other client.
 * With SQLite there is one instance: nothing is recorded and nothing is forwarded.
 */
@Injectable()
export class InstanceRegistry implements BeforeApplicationShutdown {
  private readonly logger = new Logger(InstanceRegistry.name);
  private secret: Buffer | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private ownUrl: string | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly db: DataSource,
    private readonly instance: InstanceIdentity,
  ) {}

  get enabled(): boolean {
    return this.config.database.url !== null;
  }

  /** The URL this instance announced, once it listens. */
  get url(): string | null {
    return this.ownUrl;
  }

  /** Once the server listens on `port`: records this instance and keeps marking it alive. */
  async announce(port: number): Promise<void> {
    if (!this.enabled) return;
    await this.loadSecret();
    this.ownUrl = this.config.cluster.instanceUrl ?? `http://${advertisedHost(this.config.server.host)}:${port}`;
    const now = new Date().toISOString();
    await this.db.query(
      `INSERT INTO gateway_instances (id, url, started_at, seen_at) VALUES ($1, $2, $3, $3)
       ON CONFLICT (id) DO UPDATE SET url = EXCLUDED.url, started_at = EXCLUDED.started_at, seen_at = EXCLUDED.seen_at`,
      [this.instance.id, this.ownUrl, now],
    );
    this.heartbeat = setInterval(() => {
      this.db
        .query('UPDATE gateway_instances SET seen_at = $1 WHERE id = $2', [new Date().toISOString(), this.instance.id])
        .catch((error: Error) => this.logger.warn(`instance heartbeat: ${error.message}`));
    }, INSTANCE_HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** Before the database closes (its own shutdown hook). */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    if (this.ownUrl === null || !this.db.isInitialized) return;
    // Gone on purpose: marked stale at once, so the others stop forwarding now rather than after
    // INSTANCE_STALE_MS, and count how long it stays away from now.
    const stale = new Date(Date.now() - INSTANCE_STALE_MS).toISOString();
    await this.db.query('UPDATE gateway_instances SET seen_at = $1 WHERE id = $2', [stale, this.instance.id]).catch(() => undefined);
  }

  async peer(id: string): Promise<PeerInstance | null> {
    if (!this.enabled) return null;
    const [row] = (await this.db.query('SELECT id, url, seen_at FROM gateway_instances WHERE id = $1', [id])) as { id: string; url: string; seen_at: string }[];
    if (!row) return null;
    return { id: row.id, url: row.url, alive: Date.now() - Date.parse(row.seen_at) < INSTANCE_STALE_MS };
  }

  /** Other instances, recorded once, that have not been alive for `ms`: gone, not restarting. */
  async goneFor(ms: number): Promise<string[]> {
    if (!this.enabled) return [];
    const before = new Date(Date.now() - INSTANCE_STALE_MS - ms).toISOString();
    const rows = (await this.db.query('SELECT id FROM gateway_instances WHERE seen_at < $1 AND id <> $2', [before, this.instance.id])) as { id: string }[];
    return rows.map((row) => row.id);
  }

  /** The headers that vouch for `clientIp` on a request forwarded to another instance. */
  forwardHeaders(method: string, url: string, clientIp: string): Record<string, string> {
    const at = String(Date.now());
    return {
      [FORWARD_HEADERS.clientIp]: clientIp,
      [FORWARD_HEADERS.at]: at,
      [FORWARD_HEADERS.by]: this.instance.id,
      [FORWARD_HEADERS.signature]: this.sign(method, url, clientIp, at, this.instance.id),
    };
  }

  /** The client address another instance vouched for on this request, or null when none did (or the signature is wrong or stale). */
  forwardedClientIp(req: Request): string | null {
    if (this.secret === null) return null;
    const header = (name: string) => {
      const value = req.headers[name];
      return typeof value === 'string' ? value : null;
    };
    const clientIp = header(FORWARD_HEADERS.clientIp);
    const at = header(FORWARD_HEADERS.at);
    const by = header(FORWARD_HEADERS.by);
    const signature = header(FORWARD_HEADERS.signature);
    if (clientIp === null || at === null || by === null || signature === null) return null;
    if (!/^\d{1,15}$/.test(at) || Math.abs(Date.now() - Number(at)) > FORWARD_MAX_SKEW_MS) return null;
    const expected = Buffer.from(this.sign(req.method, req.originalUrl, clientIp, at, by), 'hex');
    const given = Buffer.from(signature, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected) ? clientIp : null;
  }

  private sign(method: string, url: string, clientIp: string, at: string, by: string): string {
    if (this.secret === null) throw new Error('the instance registry has no secret yet');
    return createHmac('sha256', this.secret).update([method.toUpperCase(), url, clientIp, at, by].join('\n')).digest('hex');
  }

  private async loadSecret(): Promise<void> {
    await this.db.query(`INSERT INTO gateway_secrets (name, value) VALUES ('forwarding', $1) ON CONFLICT (name) DO NOTHING`, [randomBytes(32).toString('hex')]);
    const [row] = (await this.db.query(`SELECT value FROM gateway_secrets WHERE name = 'forwarding'`)) as { value: string }[];
    this.secret = Buffer.from(row.value, 'hex');
  }
}

/** The address the other instances reach this one at: the bound one, else the first non-loopback IPv4. */
function advertisedHost(host: string): string {
  if (host !== '0.0.0.0' && host !== '::' && host !== '') return host.includes(':') ? `[${host}]` : host;
  for (const addresses of Object.values(os.networkInterfaces())) {
    for (const address of addresses ?? []) if (address.family === 'IPv4' && !address.internal) return address.address;
  }
  return '127.0.0.1';
}
