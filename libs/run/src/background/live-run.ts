/** One event of a background run's stream. */
export interface RunEvent {
  seq: number;
  event: string;
  data: unknown;
}

/**
 * A background run while it runs on this instance: what stops it, and its events so far, which a
 * stream reader is given from where it asks and then follows.
 */
export class LiveRun {
  readonly abort = new AbortController();
  readonly events: RunEvent[] = [];
  ended = false;
  /** Resolves once the run has ended and its record says how. */
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  private readonly readers = new Set<{ event: (event: RunEvent) => void; end: () => void }>();

  constructor() {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  push(event: string, data: unknown): RunEvent {
    const next = { seq: this.events.length + 1, event, data };
    this.events.push(next);
    for (const reader of this.readers) reader.event(next);
    return next;
  }

  end(): void {
    this.ended = true;
    this.resolveDone();
    for (const reader of this.readers) reader.end();
    this.readers.clear();
  }

  /** The events after `afterSeq`, then the rest as they come; returns how to stop reading. */
  read(afterSeq: number, reader: { event: (event: RunEvent) => void; end: () => void }): () => void {
    for (const event of this.events.slice(Math.max(0, afterSeq))) reader.event(event);
    if (this.ended) {
      reader.end();
      return () => undefined;
    }
    this.readers.add(reader);
    return () => this.readers.delete(reader);
  }
}
