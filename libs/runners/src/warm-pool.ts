import { Logger } from '@nestjs/common';
import type { StartedProcess } from './process-runner';

export interface WarmPoolSettings {
  /** Spares kept ready per key; 0 turns the pool off. */
  perKey: number;
  /** A key keeps its spares this long after its last use. */
  keyTtlMs: number;
  /** Spares in total, all keys together. */
  max: number;
  /** A spare older than this is retired and replaced, so a new login or CLI is picked up. */
  maxIdleMs: number;
}

/** A process waiting for its input, and whatever it owns besides (its run directory). */
export interface Spare {
  readonly process: StartedProcess;
  /** Removes what the spare owns; called once it has ended, fed or not. */
  dispose(): Promise<void>;
}

/** How spares of one kind are started: the same call a cold run makes, minus the input. */
export type SpareStarter<L> = (launch: L) => Promise<Spare>;

interface Held {
  spare: Spare;
  bornAt: number;
  idleTimer: NodeJS.Timeout;
}

interface KeyState<L> {
  launch: L;
  lastUsedAt: number;
  /** Kept warm whether used or not (the default configuration). */
  pinned: boolean;
  /** Worth spares: pinned, warmed, or used a second time within the TTL (a one-off configuration never gets any). */
  wanted: boolean;
  spares: Held[];
  starting: number;
  /** Spares in a row that died before they were used; each doubles the wait before the next. */
  failures: number;
  retryTimer?: NodeJS.Timeout;
}

/** A spare that lived shorter than this and died unused counts as a failed start. */
const HEALTHY_AFTER_MS = 5000;
const MAX_BACKOFF_MS = 60_000;

/**
 * Processes started ahead of demand, keyed by everything that reaches their argv and environment,
 * each handed out once. A run takes a spare of its key when one is waiting, and a replacement
 * starts at once. A key gets spares from its second use within the TTL (a one-off configuration
 * would only waste a start), or at once when pinned or warmed. Keys used within the TTL stay warm; when the total cap is
 * reached, the spares of the key used longest ago give way. A spare that dies while waiting is
 * dropped, never handed out, and replaced after a backoff that grows while spares keep dying young.
 */
export class WarmPool<L> {
  private readonly logger = new Logger(WarmPool.name);
  private readonly keys = new Map<string, KeyState<L>>();
  private closed = false;

  constructor(
    private readonly settings: WarmPoolSettings,
    private readonly startSpare: SpareStarter<L>,
  ) {}

  get enabled(): boolean {
    return this.settings.perKey > 0 && this.settings.max > 0;
  }

  /** Spares waiting now. */
  get size(): number {
    let n = 0;
    for (const state of this.keys.values()) n += state.spares.length;
    return n;
  }

  /** The process ids of the spares waiting now. */
  get pids(): number[] {
    const pids: number[] = [];
    for (const state of this.keys.values()) for (const held of state.spares) if (held.spare.process.pid !== undefined) pids.push(held.spare.process.pid);
    return pids;
  }

  /** Keeps `key` warm from now on, used or not. */
  pin(key: string, launch: L): void {
    if (!this.enabled || this.closed) return;
    const state = this.stateOf(key, launch);
    state.pinned = true;
    state.wanted = true;
    this.refill(key);
  }

  /** Starts keeping `key` warm as if it had just been used (the TTL applies, unlike pin). */
  warm(key: string, launch: L): void {
    if (!this.enabled || this.closed) return;
    const state = this.stateOf(key, launch);
    state.lastUsedAt = Date.now();
    state.wanted = true;
    this.refill(key);
  }

  /** A waiting spare of `key`, if any; either way the key counts as used and is topped up. */
  take(key: string, launch: L): Spare | undefined {
    if (!this.enabled || this.closed) return undefined;
    const seen = this.keys.has(key);
    const state = this.stateOf(key, launch);
    state.lastUsedAt = Date.now();
    // The second use within the TTL makes a configuration worth a spare.
    if (seen) state.wanted = true;
    this.expireKeys();
    let taken: Spare | undefined;
    while (state.spares.length > 0 && !taken) {
      const held = state.spares.shift()!;
      clearTimeout(held.idleTimer);
      if (held.spare.process.waiting) {
        taken = held.spare;
        state.failures = 0;
      } else {
        void this.dispose(held.spare);
      }
    }
    this.refill(key);
    return taken;
  }

  /** Stops keeping the keys `which` selects, and retires their spares. */
  async forget(which: (key: string) => boolean): Promise<void> {
    const retiring: Promise<void>[] = [];
    for (const [key, state] of this.keys) {
      if (!which(key)) continue;
      clearTimeout(state.retryTimer);
      for (const held of state.spares.splice(0)) {
        clearTimeout(held.idleTimer);
        retiring.push(this.retire(held.spare));
      }
      this.keys.delete(key);
    }
    await Promise.all(retiring);
  }

  /** Retires every spare and starts no more. */
  async close(): Promise<void> {
    this.closed = true;
    const all: Spare[] = [];
    for (const state of this.keys.values()) {
      clearTimeout(state.retryTimer);
      for (const held of state.spares.splice(0)) {
        clearTimeout(held.idleTimer);
        all.push(held.spare);
      }
    }
    await Promise.all(all.map((spare) => this.retire(spare)));
  }

  private stateOf(key: string, launch: L): KeyState<L> {
    let state = this.keys.get(key);
    if (!state) {
      state = { launch, lastUsedAt: Date.now(), pinned: false, wanted: false, spares: [], starting: 0, failures: 0 };
      this.keys.set(key, state);
      return state;
    }
    return state;
  }

  private total(): number {
    let n = 0;
    for (const state of this.keys.values()) n += state.spares.length + state.starting;
    return n;
  }

  private refill(key: string): void {
    const state = this.keys.get(key);
    if (!state || !state.wanted || this.closed || state.retryTimer) return;
    while (state.spares.length + state.starting < this.settings.perKey) {
      if (this.total() >= this.settings.max && !this.evictFor(key)) return;
      state.starting += 1;
      void this.startOne(key, state);
    }
  }

  private async startOne(key: string, state: KeyState<L>): Promise<void> {
    let spare: Spare;
    try {
      spare = await this.startSpare(state.launch);
    } catch (error) {
      state.starting -= 1;
      if (!this.closed) this.failed(key, state, `a spare could not be started: ${(error as Error).message}`);
      return;
    }
    state.starting -= 1;
    if (this.closed || this.keys.get(key) !== state) {
      void this.retire(spare);
      return;
    }
    const held: Held = {
      spare,
      bornAt: Date.now(),
      idleTimer: setTimeout(() => this.replace(key, held), this.settings.maxIdleMs).unref(),
    };
    state.spares.push(held);
    void spare.process.ended.then(() => this.died(key, state, held));
  }

  /** A spare that ended while still in the pool: it is dropped, and replaced after a backoff if it died young. */
  private died(key: string, state: KeyState<L>, held: Held): void {
    const index = state.spares.indexOf(held);
    if (index < 0) return;
    state.spares.splice(index, 1);
    clearTimeout(held.idleTimer);
    void this.dispose(held.spare);
    if (Date.now() - held.bornAt < HEALTHY_AFTER_MS) this.failed(key, state, 'a spare exited while waiting for its input');
    else this.refill(key);
  }

  private failed(key: string, state: KeyState<L>, why: string): void {
    state.failures += 1;
    const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (state.failures - 1));
    if (state.failures === 1 || delay === MAX_BACKOFF_MS) this.logger.warn(`${why}; next try in ${delay} ms`);
    clearTimeout(state.retryTimer);
    state.retryTimer = setTimeout(() => {
      state.retryTimer = undefined;
      this.refill(key);
    }, delay).unref();
  }

  /** Retires a spare that waited too long and starts a fresh one, if its key is still wanted. */
  private replace(key: string, held: Held): void {
    const state = this.keys.get(key);
    const index = state?.spares.indexOf(held) ?? -1;
    if (!state || index < 0) return;
    state.spares.splice(index, 1);
    void this.retire(held.spare);
    this.expireKeys();
    this.refill(key);
  }

  /** Makes room for `key` by retiring a spare of the key used longest ago (never a pinned one, nor `key` itself). */
  private evictFor(key: string): boolean {
    let oldest: [string, KeyState<L>] | undefined;
    for (const entry of this.keys) {
      const [other, state] = entry;
      if (other === key || state.pinned || state.spares.length === 0) continue;
      if (!oldest || state.lastUsedAt < oldest[1].lastUsedAt) oldest = entry;
    }
    const wanting = this.keys.get(key)!;
    if (!oldest || (oldest[1].lastUsedAt > wanting.lastUsedAt && !wanting.pinned)) return false;
    const held = oldest[1].spares.shift()!;
    clearTimeout(held.idleTimer);
    void this.retire(held.spare);
    return true;
  }

  /** Forgets keys unused for longer than the TTL, with their spares. */
  private expireKeys(): void {
    const cutoff = Date.now() - this.settings.keyTtlMs;
    for (const [key, state] of this.keys) {
      if (state.pinned || state.lastUsedAt >= cutoff || state.starting > 0) continue;
      clearTimeout(state.retryTimer);
      for (const held of state.spares.splice(0)) {
        clearTimeout(held.idleTimer);
        void this.retire(held.spare);
      }
      this.keys.delete(key);
    }
  }

  private async retire(spare: Spare): Promise<void> {
    await spare.process.retire();
    await this.dispose(spare);
  }

  private async dispose(spare: Spare): Promise<void> {
    await spare.process.ended;
    await spare.dispose().catch((error: Error) => this.logger.error(`a spare's directory was not removed: ${error.message}`));
  }
}
