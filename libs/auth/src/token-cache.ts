import * as fs from 'node:fs';
import type { AppToken } from './app-token.entity';

/** Enough for every app a gateway serves; past it the cache starts afresh rather than grow. */
const MAX_ENTRIES = 10_000;

/**
 * Live tokens by hash, so authenticating a request needs no database read. Whoever changes the
 * tokens table (this server, or the admin CLI in another process) writes a marker file beside the
 * database, and any change to the marker empties the cache, so a revocation applies to the very
 * next request either way. Only hits are kept: a flood of bogus tokens cannot fill it.
 *
 * The marker is watched (inotify): its event is queued when the CLI writes it, before the CLI
 * exits, so it is read before any request sent after that. Where it cannot be watched (the file
 * was replaced, or the system refuses a watch) every lookup compares the marker's change time
 * instead, one stat per request.
 */
export class TokenCache {
  private readonly entries = new Map<string, AppToken>();
  private watcher: fs.FSWatcher | null = null;
  private seen: bigint | null = null;
  private generation = 0;
  private closed = false;

  constructor(private readonly marker: string) {
    this.watch();
  }

  /**
   * The cached token with this hash, else what `load` reads (kept when it is a token). A change
   * noticed while `load` ran keeps its answer out of the cache: it may predate the change.
   */
  async lookup(hash: string, load: () => Promise<AppToken | null>): Promise<AppToken | null> {
    if (this.watcher === null) this.dropIfChanged();
    const hit = this.entries.get(hash);
    if (hit) return hit;
    const generation = this.generation;
    const token = await load();
    if (token && generation === this.generation) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
      this.entries.set(hash, token);
    }
    return token;
  }

  /** After any change to the tokens table, in whichever process made it. */
  changed(): void {
    this.clear();
    fs.writeFileSync(this.marker, `${process.pid} ${process.hrtime.bigint()}\n`);
  }

  close(): void {
    this.closed = true;
    this.unwatch();
  }

  private watch(): void {
    try {
      if (!fs.existsSync(this.marker)) fs.writeFileSync(this.marker, '');
      const watcher = fs.watch(this.marker, { persistent: false }, (event) => {
        this.clear();
        // A marker replaced or removed is no longer the file watched: back to a stat per lookup.
        if (event === 'rename') this.unwatch();
      });
      watcher.on('error', () => this.unwatch());
      this.watcher = watcher;
    } catch {
      this.watcher = null;
    }
  }

  private clear(): void {
    this.entries.clear();
    this.generation++;
  }

  private unwatch(): void {
    this.clear();
    this.watcher?.close();
    this.watcher = null;
    this.seen = null;
  }

  private dropIfChanged(): void {
    const stat = fs.statSync(this.marker, { bigint: true, throwIfNoEntry: false });
    const version = stat ? stat.mtimeNs ^ (stat.ctimeNs << 1n) ^ stat.ino : -1n;
    if (version !== this.seen) {
      this.clear();
      this.seen = version;
      // The marker is back (or first seen): watch it again rather than stat it on every lookup.
      if (stat && !this.closed) this.watch();
    }
  }
}
