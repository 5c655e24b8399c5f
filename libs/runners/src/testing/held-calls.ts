/** A call a fake holds until the spec answers it: the request it got, and the ways to end it. */
export interface HeldCall<Request, Result> {
  readonly request: Request;
  answer(result: Result): void;
  fail(error: Error): void;
}

/**
 * The calls a fake holds while holding is on, in the order they came. A spec holds calls to see
 * what happens while work is in flight (queues, slots, busy sessions), then answers them.
 */
export class HeldCalls<Request, Result> {
  private holding = false;
  private readonly calls: HeldCall<Request, Result>[] = [];
  private readonly arrivals: (() => void)[] = [];

  get on(): boolean {
    return this.holding;
  }

  /** From now on every call waits for the spec to answer it. */
  hold(): void {
    this.holding = true;
  }

  /** Calls answer at once again; those held so far stay held until answered. */
  stopHolding(): void {
    this.holding = false;
  }

  /** Held calls not answered yet, oldest first. */
  get waiting(): readonly HeldCall<Request, Result>[] {
    return this.calls;
  }

  /** Holds one call: the promise its caller gets. */
  take(request: Request): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      const call: HeldCall<Request, Result> = {
        request,
        answer: (result) => this.settle(call, () => resolve(result)),
        fail: (error) => this.settle(call, () => reject(error)),
      };
      this.calls.push(call);
      for (const arrived of this.arrivals.splice(0)) arrived();
    });
  }

  /** The oldest held call once `count` calls are held (at once when they already are). */
  async next(count = 1): Promise<HeldCall<Request, Result>> {
    while (this.calls.length < count) await new Promise<void>((resolve) => this.arrivals.push(resolve));
    return this.calls[0];
  }

  /** Answers every held call with `result`. */
  answerAll(result: (request: Request) => Result): void {
    for (const call of [...this.calls]) call.answer(result(call.request));
  }

  private settle(call: HeldCall<Request, Result>, settle: () => void): void {
    const at = this.calls.indexOf(call);
    if (at < 0) return;
    this.calls.splice(at, 1);
    settle();
  }
}
