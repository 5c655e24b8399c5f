import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { AppConfig } from '@clawdforge/core';

/** How long after losing the link the first reconnect is tried, and the longest wait between tries. */
const RECONNECT_FIRST_MS = 500;
const RECONNECT_MAX_MS = 10_000;

/**
 * This instance's own connection to PostgreSQL, for what a pooled connection cannot hold: session
 * advisory locks (a run slot across instances, which PostgreSQL itself releases when this instance
 * dies) and LISTEN (a run slot came free somewhere). Only with DATABASE_URL, and only once
 * something needs it; with SQLite there is one instance and nothing to coordinate. Reconnects by itself; whoever holds locks hears of a
 * lost link (`onLost`), since PostgreSQL dropped those locks with it.
 */
@Injectable()
export class ClusterLink implements OnApplicationShutdown {
  private readonly logger = new Logger(ClusterLink.name);
  private client: Client | null = null;
  private connecting: Promise<Client> | null = null;
  private readonly channels = new Map<string, Set<() => void>>();
  private readonly lostHandlers = new Set<() => void>();
  private reconnectMs = RECONNECT_FIRST_MS;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly config: AppConfig) {}

  get enabled(): boolean {
    return this.config.database.url !== null;
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  /** Calls `handler` on every NOTIFY of `channel` (a lower-case identifier), from any instance; connects the link. */
  async listen(channel: string, handler: () => void): Promise<void> {
    if (!/^[a-z_]+$/.test(channel)) throw new Error(`bad channel name ${channel}`);
    let handlers = this.channels.get(channel);
    if (!handlers) {
      handlers = new Set();
      this.channels.set(channel, handlers);
      // A connection made from now on listens by itself (connect() goes through the channels).
      if (this.client) await this.client.query(`LISTEN ${channel}`);
    }
    handlers.add(handler);
    await this.connection();
  }

  /** Called when the link drops: every advisory lock it held is gone. */
  onLost(handler: () => void): () => void {
    this.lostHandlers.add(handler);
    return () => this.lostHandlers.delete(handler);
  }

  /** A statement on the link's own session (advisory locks live there), connecting first if needed. */
  async query<T extends Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = await this.connection();
    return (await client.query<T>(sql, params)).rows;
  }

  async notify(channel: string): Promise<void> {
    await this.query('SELECT pg_notify($1, $2)', [channel, '']);
  }

  private connection(): Promise<Client> {
    if (this.client) return Promise.resolve(this.client);
    if (this.closed) return Promise.reject(new Error('the cluster link is closed'));
    this.connecting ??= this.connect().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async connect(): Promise<Client> {
    const client = new Client({ connectionString: this.config.database.url!, application_name: 'clawdforge-link' });
    client.on('notification', (message) => {
      for (const handler of this.channels.get(message.channel) ?? []) handler();
    });
    client.on('error', (error) => this.logger.warn(`cluster link: ${error.message}`));
    client.on('end', () => this.lost(client));
    await client.connect();
    for (const channel of this.channels.keys()) await client.query(`LISTEN ${channel}`);
    this.client = client;
    this.reconnectMs = RECONNECT_FIRST_MS;
    return client;
  }

  private lost(client: Client): void {
    if (this.client !== client) return;
    this.client = null;
    for (const handler of this.lostHandlers) handler();
    this.reconnectLater();
  }

  private reconnectLater(): void {
    if (this.closed || this.reconnectTimer) return;
    this.logger.warn(`cluster link to PostgreSQL lost; reconnecting in ${this.reconnectMs} ms`);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connection().catch((error: Error) => {
        this.reconnectMs = Math.min(RECONNECT_MAX_MS, this.reconnectMs * 2);
        this.logger.warn(`cluster link: ${error.message}`);
        this.reconnectLater();
      });
    }, this.reconnectMs);
    this.reconnectTimer.unref();
  }
}
