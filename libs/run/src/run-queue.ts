import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@clawdforge/core';
import { RunCancelledError, ShuttingDownError } from '@clawdforge/runners';
import { QueueFullError } from './run-errors';

interface Waiter {
  owner: string;
  enqueuedAt: number;
  grant: (slot: RunSlot) => void;
  fail: (error: Error) => void;
}

export interface RunSlot {
  /** How long the caller waited for this slot. */
  queuedMs: number;
  /** Gives the slot back; safe to call more than once. */
  release: () => void;
}

/** Typical run length before any has been measured, for Retry-After. */
const INITIAL_RUN_ESTIMATE_MS = 5000;

/**
 * At most `maxConcurrentRuns` runs at once, `runQueueMax` waiting in all and `runQueueMaxPerToken`
 * waiting for any one owner (app token), and an owner with its own share (a token's
 * max_concurrent_runs) never runs more than that at once. Waiters are served round-robin across the
 * owners below their share, so one busy app can neither starve the others nor lock them out.
 */
@Injectable()
export class RunQueue implements OnApplicationShutdown {
  private readonly byOwner = new Map<string, Waiter[]>();
  /** Owners with waiters, in serving order: the next slot goes to the first. */
  private readonly rotation: string[] = [];
  private active = 0;
  private readonly activeByOwner = new Map<string, number>();
  /** Each owner's share as its latest request stated it (a changed policy applies from the next run). */
  private readonly shareByOwner = new Map<string, number | null>();
  private waitingCount = 0;
  private closed = false;
  private averageRunMs = INITIAL_RUN_ESTIMATE_MS;

  constructor(private readonly config: AppConfig) {}

  get running(): number {
    return this.active;
  }

  get waiting(): number {
    return this.waitingCount;
  }

  /** `share`: at most this many of the owner's runs at once (null: no share of its own). */
  acquire(owner: string, signal?: AbortSignal, share: number | null = null): Promise<RunSlot> {
    if (this.closed) return Promise.reject(new ShuttingDownError());
    if (signal?.aborted) return Promise.reject(new RunCancelledError());
    this.shareByOwner.set(owner, share);
    if (this.active < this.config.runs.maxConcurrent && this.waitingCount === 0 && this.belowShare(owner)) {
      this.take(owner);
      return Promise.resolve(this.slot(owner, 0));
    }
    if ((this.byOwner.get(owner)?.length ?? 0) >= this.config.runs.queueMaxPerToken) {
      // The owner's first waiter leaves the queue once every owner ahead of it in the rotation has been served.
      return Promise.reject(new QueueFullError('token', this.config.runs.queueMaxPerToken, this.retryAfterSecs(this.rotation.indexOf(owner) + 1)));
    }
    if (this.waitingCount >= this.config.runs.queueMax) {
      return Promise.reject(new QueueFullError('global', this.config.runs.queueMax, this.retryAfterSecs(this.waitingCount + 1)));
    }

    return new Promise<RunSlot>((resolve, reject) => {
      const onAbort = () => {
        if (this.remove(waiter)) reject(new RunCancelledError());
      };
      const waiter: Waiter = {
        owner,
        enqueuedAt: performance.now(),
        grant: (slot) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(slot);
        },
        fail: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const queue = this.byOwner.get(owner);
      if (queue) queue.push(waiter);
      else {
        this.byOwner.set(owner, [waiter]);
        this.rotation.push(owner);
      }
      this.waitingCount++;
      // Slots may be free while only owners at their share wait: this one may go at once.
      this.dispatch();
    });
  }

  onApplicationShutdown(): void {
    this.close();
  }

  /** Refuses new runs and fails every waiter at once (503 shutting_down); running ones keep their slots. */
  close(): void {
    this.closed = true;
    for (const queue of this.byOwner.values()) for (const waiter of queue) waiter.fail(new ShuttingDownError());
    this.byOwner.clear();
    this.rotation.length = 0;
    this.waitingCount = 0;
  }

  private belowShare(owner: string): boolean {
    const share = this.shareByOwner.get(owner) ?? null;
    return share === null || (this.activeByOwner.get(owner) ?? 0) < share;
  }

  private take(owner: string): void {
    this.active++;
    this.activeByOwner.set(owner, (this.activeByOwner.get(owner) ?? 0) + 1);
  }

  private slot(owner: string, queuedMs: number): RunSlot {
    const startedAt = performance.now();
    let released = false;
    return {
      queuedMs: Math.round(queuedMs),
      release: () => {
        if (released) return;
        released = true;
        this.averageRunMs = 0.8 * this.averageRunMs + 0.2 * (performance.now() - startedAt);
        this.active--;
        const left = (this.activeByOwner.get(owner) ?? 1) - 1;
        if (left > 0) this.activeByOwner.set(owner, left);
        else this.activeByOwner.delete(owner);
        this.dispatch();
      },
    };
  }

  /** Grants free slots round-robin to the owners still below their share; owners at it keep their place. */
  private dispatch(): void {
    while (this.active < this.config.runs.maxConcurrent) {
      const at = this.rotation.findIndex((owner) => this.belowShare(owner));
      if (at < 0) return;
      const [owner] = this.rotation.splice(at, 1);
      const queue = this.byOwner.get(owner)!;
      const waiter = queue.shift()!;
      if (queue.length > 0) this.rotation.push(owner);
      else this.byOwner.delete(owner);
      this.waitingCount--;
      this.take(owner);
      waiter.grant(this.slot(owner, performance.now() - waiter.enqueuedAt));
    }
  }

  private remove(waiter: Waiter): boolean {
    const queue = this.byOwner.get(waiter.owner);
    const index = queue?.indexOf(waiter) ?? -1;
    if (!queue || index < 0) return false;
    queue.splice(index, 1);
    this.waitingCount--;
    if (queue.length === 0) {
      this.byOwner.delete(waiter.owner);
      this.rotation.splice(this.rotation.indexOf(waiter.owner), 1);
    }
    return true;
  }

  /** Roughly how long `dispatches` grants take, from the running average run length, for Retry-After. */
  private retryAfterSecs(dispatches: number): number {
    const rounds = Math.ceil(dispatches / this.config.runs.maxConcurrent);
    return Math.min(300, Math.max(1, Math.ceil((rounds * this.averageRunMs) / 1000)));
  }
}
