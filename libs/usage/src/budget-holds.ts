/** Budget a run or turn in flight holds until what it cost is in the ledger. */
export interface BudgetHold {
  /** What it may spend (the CLI's --max-budget-usd, a turn's stop): everything not held by others; null without a budget. */
  readonly capUsd: number | null;
  /** Gives the held amount back; call it once what the work cost is settled. Safe to call more than once. */
  release(): void;
}

/**
 * A billionth of a dollar: sums of costs in binary floating point leave dust (0.003 − 0.002 is
 * 0.0010000000000000002; $0.3 three times leaves 1e-16 of $0.9), so what is left of a budget, and
 * how far past its cap a turn is, count only beyond it: a budget with dust left is spent, a turn
 * over its cap by dust is not. Far below any budget an operator sets (a millionth of a dollar is).
 */
export const DUST_USD = 1e-9;

export const NO_HOLD: BudgetHold = { capUsd: null, release: () => undefined };

/**
 * The dollars each token's runs and turns in flight hold against its budget, in this process, and
 * the work waiting for some of it to come back. A token's holds are taken one at a time (`serially`),
 * so two runs never both count the same dollars as free.
 */
export class BudgetHolds {
  private readonly held = new Map<string, Set<{ usd: number }>>();
  private readonly waiting = new Map<string, Set<() => void>>();
  private readonly chains = new Map<string, Promise<unknown>>();

  /** Dollars the token's work in flight holds now. */
  heldBy(token: string): number {
    let sum = 0;
    for (const hold of this.held.get(token) ?? []) sum += hold.usd;
    return sum;
  }

  take(token: string, usd: number, capUsd: number): BudgetHold {
    const entry = { usd };
    let holds = this.held.get(token);
    if (!holds) this.held.set(token, (holds = new Set()));
    holds.add(entry);
    let released = false;
    return {
      capUsd,
      release: () => {
        if (released) return;
        released = true;
        holds.delete(entry);
        if (holds.size === 0 && this.held.get(token) === holds) this.held.delete(token);
        for (const wake of this.waiting.get(token) ?? []) wake();
      },
    };
  }

  /** Resolves when any of the token's holds is released, or the signal aborts (then it rejects with its reason). */
  released(token: string, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      let waiters = this.waiting.get(token);
      if (!waiters) this.waiting.set(token, (waiters = new Set()));
      const done = () => {
        waiters.delete(wake);
        if (waiters.size === 0 && this.waiting.get(token) === waiters) this.waiting.delete(token);
        signal?.removeEventListener('abort', abort);
      };
      const wake = () => {
        done();
        resolve();
      };
      const abort = () => {
        done();
        reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      if (signal?.aborted) return abort();
      waiters.add(wake);
      signal?.addEventListener('abort', abort, { once: true });
    });
  }

  /** Runs `work` after the token's earlier work here has finished. */
  serially<T>(token: string, work: () => Promise<T>): Promise<T> {
    const done = (this.chains.get(token) ?? Promise.resolve()).then(work);
    const tail = done.catch(() => undefined);
    this.chains.set(token, tail);
    void tail.then(() => {
      if (this.chains.get(token) === tail) this.chains.delete(token);
    });
    return done;
  }
}
