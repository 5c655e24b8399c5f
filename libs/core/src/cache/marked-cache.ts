import * as fs from 'node:fs';
import { BoundedMap } from './bounded-map';

/**
 * A file beside the SQLite database that every process changing a table writes (this server, or
 * the admin CLI in another process), so every process caching that table knows its copy is stale.
 *
 * The marker is watched (inotify): its event is queued when the CLI writes it, before the CLI
 * exits, so it is read before any request sent after that. Where it cannot be watched (the file
 * was replaced, or the system refuses a watch) `generation` compares the marker's change time
 * instead, one stat per call, until it can watch the marker again.
 */
export class ChangeMarker {
  private watcher: fs.FSWatcher | null = null;
  private seen: bigint | null = null;
  private count = 0;
  private closed = false;

  constructor(private readonly file: string) {
    this.watch();
  }

  /** Moves on whenever the marker changed, here or in another process. */
  get generation(): number {
    if (this.watcher === null && !this.closed) this.checkStat();
    return this.count;
  }

  /** After a change to the table, in whichever process made it. */
  changed(): void {
    this.count++;
    fs.writeFileSync(this.file, `${process.pid} ${process.hrtime.bigint()}\n`);
  }

  close(): void {
    this.closed = true;
    this.unwatch();
  }

  private watch(): void {
    try {
      if (!fs.existsSync(this.file)) fs.writeFileSync(this.file, '');
      const watcher = fs.watch(this.file, { persistent: false }, (event) => {
        this.count++;
        // A marker replaced or removed is no longer the file watched: back to a stat per call.
        if (event === 'rename') this.unwatch();
      });
      watcher.on('error', () => this.unwatch());
      this.watcher = watcher;
    } catch {
      this.watcher = null;
    }
  }

  private unwatch(): void {
    this.count++;
    this.watcher?.close();
    this.watcher = null;
    this.seen = null;
  }

  private checkStat(): void {
    const stat = fs.statSync(this.file, { bigint: true, throwIfNoEntry: false });
    const version = stat ? stat.mtimeNs ^ (stat.ctimeNs << 1n) ^ stat.ino : -1n;
    if (version === this.seen) return;
    this.count++;
    this.seen = version;
    // The marker is back (or first seen): watch it again rather than stat it on every call.
    if (stat) this.watch();
  }
}

/**
 * Values read from the database, kept until the marker says the table changed. Only what `load`
 * found is kept (a flood of misses cannot fill it), and an answer read while a change came in is
 * not kept: it may predate the change.
 */
export class MarkedCache<V> {
  private readonly entries: BoundedMap<string, V>;
  private generation = -1;

  constructor(
    private readonly marker: ChangeMarker,
    maxEntries: number,
  ) {
    this.entries = new BoundedMap(maxEntries);
  }

  /**
   * A hit is answered at once, not as a promise: the token lookup of every request comes through
   * here, and a promise per lookup is a turn of the microtask queue each request pays for nothing.
   */
  lookup(key: string, load: () => Promise<V | null>): V | Promise<V | null> {
    const generation = this.marker.generation;
    if (generation !== this.generation) {
      this.entries.clear();
      this.generation = generation;
    }
    const hit = this.entries.get(key);
    if (hit !== undefined) return hit;
    return load().then((value) => {
      if (value !== null && this.marker.generation === generation) {
        this.entries.set(key, value);
      }
      return value;
    });
  }

  /** After this process changed the table: drops every entry here and tells the others. */
  changed(): void {
    this.entries.clear();
    this.marker.changed();
  }
}
