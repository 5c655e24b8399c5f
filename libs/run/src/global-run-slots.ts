import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '@clawdforge/core';
import { ClusterLink } from '@clawdforge/cluster';
import { RunCancelledError } from '@clawdforge/runners';

/** First key of the advisory locks that are run slots (the second is the slot's number): the same in every instance. */
const SLOT_LOCKS = 0x63667273;
/** Announced when a slot is given back, so instances waiting for one try again at once. */
const SLOT_FREED = 'clawdforge_run_slot_freed';
/** A waiter tries again this often even without a notice (one may be lost with a dropped link). */
const RETRY_MS = 1000;

export interface GlobalRunSlot {
  waitedMs: number;
  release: () => void;
}

const NO_LIMIT: GlobalRunSlot = { waitedMs: 0, release: () => undefined };

/**
 * MAX_CONCURRENT_RUNS_GLOBAL: runs at once across every instance on one PostgreSQL. Slot n is the
 * session advisory lock (SLOT_LOCKS, n) held on this instance's cluster link for the run's length;
 * PostgreSQL itself frees the slots of an instance that dies, so a crash leaks none. A run takes a
 * global slot after its local one (MAX_CONCURRENT_RUNS and the token's fair share, this instance's
 * queue), and waits while all are taken; a freed slot is announced with NOTIFY.
 */
@Injectable()
export class GlobalRunSlots implements OnModuleInit {
  private readonly logger = new Logger(GlobalRunSlots.name);
  /** Slots this instance holds (or is trying for). */
  private readonly held = new Set<number>();
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly config: AppConfig,
    private readonly link: ClusterLink,
  ) {}

  get limit(): number | null {
    return this.config.cluster.maxConcurrentRunsGlobal;
  }

  /** Slots this instance holds now. */
  get heldHere(): number {
    return this.held.size;
  }

  async onModuleInit(): Promise<void> {
    if (this.limit === null) return;
    await this.link.listen(SLOT_FREED, () => this.wake());
    this.link.onLost(() => {
      if (this.held.size > 0) this.logger.warn(`cluster link lost while holding ${this.held.size} run slots: PostgreSQL freed them`);
      this.held.clear();
      this.wake();
    });
  }

  async acquire(signal: AbortSignal): Promise<GlobalRunSlot> {
    const limit = this.limit;
    if (limit === null) return NO_LIMIT;
    const startedAt = performance.now();
    for (;;) {
      if (signal.aborted) throw new RunCancelledError();
      const slot = await this.tryTake(limit);
      if (slot !== null) {
        let released = false;
        return {
          waitedMs: Math.round(performance.now() - startedAt),
          release: () => {
            if (released) return;
            released = true;
            this.give(slot);
          },
        };
      }
      await this.nextChance(signal);
    }
  }

  private async tryTake(limit: number): Promise<number | null> {
    for (let slot = 0; slot < limit; slot++) {
      if (this.held.has(slot)) continue;
      // Marked before asking, so two runs of this instance never ask for the same slot at once.
      this.held.add(slot);
      const [row] = await this.link.query<{ taken: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS taken', [SLOT_LOCKS, slot]).catch((error: Error) => {
        this.held.delete(slot);
        throw error;
      });
      if (row.taken) return slot;
      this.held.delete(slot);
    }
    return null;
  }

  private give(slot: number): void {
    if (!this.held.delete(slot)) return; // lost with the link: PostgreSQL freed it already
    this.link
      .query('SELECT pg_advisory_unlock($1, $2)', [SLOT_LOCKS, slot])
      .then(() => this.link.notify(SLOT_FREED))
      .catch((error: Error) => this.logger.warn(`run slot ${slot} not given back: ${error.message}`));
    this.wake();
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /** Until a slot is announced free (here or elsewhere), RETRY_MS passes, or the caller gives up. */
  private nextChance(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const cleanUp = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal.removeEventListener('abort', abort);
      };
      const done = () => {
        cleanUp();
        resolve();
      };
      const abort = () => {
        cleanUp();
        reject(new RunCancelledError());
      };
      const timer = setTimeout(done, RETRY_MS);
      this.waiters.add(done);
      signal.addEventListener('abort', abort, { once: true });
    });
  }
}
