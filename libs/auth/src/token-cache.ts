import * as fs from 'node:fs';
import type { AppToken } from './app-token.entity';

/** Enough for every app a gateway serves; past it the cache starts afresh rather than grow. */
const MAX_ENTRIES = 10_000;

/**
 * Live tokens by hash, so authenticating a request needs no database read. Whoever changes the
 * tokens table (this server, or the admin CLI in another process) touches a marker file beside the
 * database; every lookup compares the marker's change time (one stat) and empties the cache when
 * it moved, so a revocation applies to the very next request either way. Only hits are kept: a
 * flood of bogus tokens cannot fill it.
 */
export class TokenCache {
  private readonly entries = new Map<string, AppToken>();
  private seen: bigint | null = null;

  constructor(private readonly marker: string) {}

  get(hash: string): AppToken | undefined {
    this.dropIfChanged();
    return this.entries.get(hash);
  }

  set(hash: string, token: AppToken): void {
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(hash, token);
  }

  /** After any change to the tokens table, in whichever process made it. */
  changed(): void {
    this.entries.clear();
    fs.writeFileSync(this.marker, `${process.pid} ${process.hrtime.bigint()}\n`);
  }

  private dropIfChanged(): void {
    const stat = fs.statSync(this.marker, { bigint: true, throwIfNoEntry: false });
    const version = stat ? stat.mtimeNs ^ (stat.ctimeNs << 1n) ^ stat.ino : -1n;
    if (version !== this.seen) {
      this.entries.clear();
      this.seen = version;
    }
  }
}
