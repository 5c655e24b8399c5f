import { ClawdforgeError } from './errors.js';
import type { ErrorBody } from './types.js';

export interface RetryOptions {
  /** Extra attempts after a 429; 0 turns retrying off. */
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
}

/** The one place requests are made: auth header, JSON, error mapping, opt-in 429 retries. */
export class Transport {
  readonly #token: string;

  constructor(
    readonly baseUrl: string,
    token: string,
    private readonly retry: RetryOptions = { attempts: 0 },
  ) {
    this.#token = token;
  }

  async json<T>(options: RequestOptions): Promise<T> {
    const res = await this.send(options);
    return (await res.json()) as T;
  }

  /** Sends, retrying a 429 when asked to, and turns any non-2xx answer into a ClawdforgeError. */
  async send(options: RequestOptions): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const res = await this.fetchOnce(options);
      if (res.ok) return res;
      if (res.status === 429 && attempt < this.retry.attempts) {
        await res.body?.cancel();
        await sleep(retryDelayMs(res.headers.get('retry-after'), attempt, this.retry.maxDelayMs ?? 30_000), options.signal);
        continue;
      }
      throw await errorFrom(res);
    }
  }

  private async fetchOnce(options: RequestOptions): Promise<Response> {
    const url = new URL(options.path, this.baseUrl);
    for (const [name, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
    const headers: Record<string, string> = { Authorization: `Bearer ${this.#token}` };
    if (options.accept) headers.Accept = options.accept;
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
