import { ClawdforgeError } from './errors.js';
import type { ErrorBody } from './types.js';

export interface RetryOptions {
  /** Extra attempts after a 429, or after no answer to a call carrying an Idempotency-Key; 0 turns retrying off. */
  attempts: number;
  /** Upper bound on one wait, whatever Retry-After says. */
  maxDelayMs?: number;
}

export interface RequestOptions {
  method: string;
  path: string;
  json?: unknown;
  form?: FormData;
  query?: Record<string, string | number | undefined>;
  accept?: string;
  signal?: AbortSignal;
  /** A POST the server dedupes by its Idempotency-Key: it carries one, the same on every retry. */
  idempotent?: boolean;
  /** The caller's key for an idempotent call; else a fresh UUID (unless the client sends none). */
  idempotencyKey?: string;
}

/** The server's shape of a key: 1 to 255 printable ASCII characters, no space at either end. */
const KEY_SHAPE = /^[\x21-\x7e](?:[\x20-\x7e]{0,253}[\x21-\x7e])?$/;

/** The one place requests are made: auth header, Idempotency-Key, JSON, error mapping, opt-in retries. */
export class Transport {
  readonly #token: string;

  constructor(
    readonly baseUrl: string,
    token: string,
    private readonly retry: RetryOptions = { attempts: 0 },
    /** Whether an idempotent call given no key gets a fresh one. */
    private readonly freshKeys = true,
  ) {
    this.#token = token;
  }

  async json<T>(options: RequestOptions): Promise<T> {
    const res = await this.send(options);
    return (await res.json()) as T;
  }

  /**
   * Sends, retrying when asked to a 429, and a call with an Idempotency-Key that got no answer (the
   * retry, under the same key, gets the first one's answer rather than running it again); turns any
   * non-2xx answer into a ClawdforgeError.
   */
  async send(options: RequestOptions): Promise<Response> {
    const key = options.idempotent ? this.keyFor(options.idempotencyKey) : undefined;
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await this.fetchOnce(options, key);
      } catch (error) {
        const lost = key !== undefined && (error as ClawdforgeError).code === 'network_error' && !options.signal?.aborted;
        if (!lost || attempt >= this.retry.attempts) throw error;
        await sleep(retryDelayMs(null, attempt, this.retry.maxDelayMs ?? 30_000), options.signal);
        continue;
      }
      if (res.ok) return res;
      if (res.status === 429 && attempt < this.retry.attempts) {
        await res.body?.cancel();
        await sleep(retryDelayMs(res.headers.get('retry-after'), attempt, this.retry.maxDelayMs ?? 30_000), options.signal);
        continue;
      }
      throw await errorFrom(res);
    }
  }

  private keyFor(given: string | undefined): string | undefined {
    if (given === undefined) return this.freshKeys ? crypto.randomUUID() : undefined;
    if (typeof given !== 'string' || !KEY_SHAPE.test(given)) {
      throw new ClawdforgeError('invalid_request', 0, 'idempotencyKey must be 1 to 255 printable ASCII characters, without a space at either end', null, 'idempotencyKey');
    }
    return given;
  }

  private async fetchOnce(options: RequestOptions, idempotencyKey: string | undefined): Promise<Response> {
    const url = new URL(options.path, this.baseUrl);
    for (const [name, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
    const headers: Record<string, string> = { Authorization: `Bearer ${this.#token}` };
    if (options.accept) headers.Accept = options.accept;
    if (idempotencyKey !== undefined) headers['Idempotency-Key'] = idempotencyKey;
    let body: string | FormData | undefined;
    if (options.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.form) {
      body = options.form;
    }
    try {
      return await fetch(url, { method: options.method, headers, body, signal: options.signal });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new ClawdforgeError('network_error', 0, `${options.method} ${url.pathname}: ${(error as Error).message}`);
    }
  }

  toJSON(): { baseUrl: string } {
    return { baseUrl: this.baseUrl };
  }
}

/** Retry-After seconds when given, else exponential backoff from 500 ms; capped. */
function retryDelayMs(header: string | null, attempt: number, maxMs: number): number {
  const seconds = header === null ? NaN : Number(header);
  const ms = Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 500 * 2 ** attempt;
  return Math.min(ms, maxMs);
}

export async function errorFrom(res: Response): Promise<ClawdforgeError> {
  const requestId = res.headers.get('x-request-id');
  const text = await res.text().catch(() => '');
  try {
    const { error } = JSON.parse(text) as Partial<ErrorBody>;
    if (error?.code) return new ClawdforgeError(error.code, res.status, error.message ?? error.code, requestId, error.field ?? null);
  } catch {
    // not the server's error JSON: a proxy's page, say
  }
  return new ClawdforgeError('http_error', res.status, `HTTP ${res.status}`, requestId);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
}
