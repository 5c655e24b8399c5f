import './dispose-polyfill.js';
import { SessionClosedError } from './errors.js';
import type { Transport } from './http.js';
import { readEvents, streamError } from './sse.js';
import { TurnResult } from './turn-result.js';
import type { AcpMessage, SessionState, TurnBody, TurnRequest } from './types.js';

export interface TurnOptions {
  timeout_secs?: number;
  signal?: AbortSignal;
  /** The turn's Idempotency-Key (see Clawdforge's IdempotentOptions); a fresh UUID when not given. */
  idempotencyKey?: string;
}

export type TurnStreamEvent = { type: 'acp'; message: AcpMessage } | { type: 'result'; result: TurnResult };

/**
 * A multi-turn agent session. `close()` is idempotent and also runs on `await using`; after it,
 * a turn fails at once without a request.
 */
export class Session {
  #closed = false;

  constructor(
    private readonly http: Transport,
    readonly id: string,
  ) {}

  async turn(prompt: string, options: TurnOptions = {}): Promise<TurnResult> {
    this.assertOpen();
    const body = await this.http.json<TurnBody>({
      method: 'POST',
      path: this.path('/turn'),
      json: turnRequest(prompt, options),
      signal: options.signal,
      idempotent: true,
      idempotencyKey: options.idempotencyKey,
    });
    return new TurnResult(body);
  }

  /** The turn's ACP messages as the agent sends them, then its result. */
  async *turnStream(prompt: string, options: TurnOptions = {}): AsyncGenerator<TurnStreamEvent> {
    this.assertOpen();
    const res = await this.http.send({
      method: 'POST',
      path: this.path('/turn'),
      json: turnRequest(prompt, options),
      accept: 'text/event-stream',
      signal: options.signal,
      idempotent: true,
      idempotencyKey: options.idempotencyKey,
    });
    for await (const { event, data } of readEvents(res)) {
      if (event === 'acp') yield { type: 'acp', message: data as AcpMessage };
      else if (event === 'result') yield { type: 'result', result: new TurnResult(data as TurnBody) };
      else if (event === 'error') throw streamError(data, res.headers.get('x-request-id'));
    }
  }

  state(): Promise<SessionState> {
    return this.http.json<SessionState>({ method: 'GET', path: this.path('') });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.http.send({ method: 'DELETE', path: this.path('') });
  }

  get closed(): boolean {
    return this.#closed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private assertOpen(): void {
    if (this.#closed) throw new SessionClosedError(this.id);
  }

  private path(suffix: string): string {
    return `/sessions/${encodeURIComponent(this.id)}${suffix}`;
  }
}

function turnRequest(prompt: string, options: TurnOptions): TurnRequest {
  return { prompt, timeout_secs: options.timeout_secs };
}
