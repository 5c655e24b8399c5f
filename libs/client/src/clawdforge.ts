import { RetryOptions, Transport } from './http';
import { Session } from './session';
import { readEvents, streamError } from './sse';
import type { AppToken, AuditRow, Page, RunRequest, RunResult, RunStreamEvent, SessionState, StoredFile, UploadedFile } from './types';

export interface ClawdforgeOptions {
  /** e.g. `http://192.168.0.5:8800` */
  baseUrl: string;
  /** An app token (`cf_…`), or the admin token for `tokens` and `audit`. */
  token: string;
  /** Retry 429 answers, waiting as Retry-After says. Off unless given. */
  retry?: RetryOptions;
}

export interface UploadOptions {
  filename?: string;
  ttlSecs?: number;
}

export interface ListOptions {
  limit?: number;
  cursor?: string;
}

export interface NewSessionOptions {
  agent?: string;
  model?: string;
  system?: string;
}

/** The clawdforge API. The token is held privately: it never shows in inspection, JSON or errors. */
export class Clawdforge {
  readonly #http: Transport;

  constructor(options: ClawdforgeOptions) {
    this.#http = new Transport(options.baseUrl, options.token, options.retry);
  }

  get baseUrl(): string {
    return this.#http.baseUrl;
  }

  run(request: RunRequest, options: { signal?: AbortSignal } = {}): Promise<RunResult> {
    return this.#http.json<RunResult>({ method: 'POST', path: '/run', json: request, signal: options.signal });
  }

  /** Text deltas and tool calls as the model writes, then the result; an `error` event is thrown as ClawdforgeError. */
  async *runStream(request: RunRequest, options: { signal?: AbortSignal } = {}): AsyncGenerator<RunStreamEvent> {
    const res = await this.#http.send({ method: 'POST', path: '/run', json: request, accept: 'text/event-stream', signal: options.signal });
    for await (const { event, data } of readEvents(res)) {
      if (event === 'delta') yield { type: 'delta', text: (data as { text: string }).text };
      else if (event === 'tool_use') yield { type: 'tool_use', ...(data as { id: string; name: string }) };
      else if (event === 'result') yield { type: 'result', result: data as RunResult };
      else if (event === 'error') throw streamError(data, res.headers.get('x-request-id'));
    }
  }

  uploadFile(content: Blob | Uint8Array<ArrayBuffer> | string, options: UploadOptions = {}): Promise<UploadedFile> {
    const form = new FormData();
    const blob = content instanceof Blob ? content : new Blob([content]);
    form.append('file', blob, options.filename ?? 'file');
    if (options.ttlSecs !== undefined) form.append('ttl_secs', String(options.ttlSecs));
    return this.#http.json<UploadedFile>({ method: 'POST', path: '/files', form });
  }

  listFiles(options: ListOptions = {}): Promise<Page<StoredFile>> {
    return this.#http.json<Page<StoredFile>>({ method: 'GET', path: '/files', query: { ...options } });
  }

  async deleteFile(fileToken: string): Promise<void> {
    await this.#http.send({ method: 'DELETE', path: `/files/${encodeURIComponent(fileToken)}` });
  }

  async newSession(options: NewSessionOptions = {}): Promise<Session> {
    const state = await this.#http.json<SessionState>({ method: 'POST', path: '/sessions', json: options });
    return new Session(this.#http, state.session_id);
  }

  /** A handle on an existing session (no request is made). */
  getSession(id: string): Session {
    return new Session(this.#http, id);
  }

  listSessions(options: ListOptions = {}): Promise<Page<SessionState>> {
    return this.#http.json<Page<SessionState>>({ method: 'GET', path: '/sessions', query: { ...options } });
  }

  /** Admin routes: the client must hold the admin token. */
  readonly tokens = {
    create: (name: string, ipCidrs?: string[]) =>
      this.#http.json<AppToken & { token: string }>({ method: 'POST', path: '/admin/tokens', json: ipCidrs ? { name, ip_cidrs: ipCidrs } : { name } }),
    list: (options: ListOptions = {}) => this.#http.json<Page<AppToken>>({ method: 'GET', path: '/admin/tokens', query: { ...options } }),
    revoke: (name: string) => this.#http.json<AppToken>({ method: 'DELETE', path: `/admin/tokens/${encodeURIComponent(name)}` }),
  };

  readonly audit = {
    list: (options: ListOptions & { token?: string; route?: string; since?: string } = {}) =>
      this.#http.json<Page<AuditRow>>({ method: 'GET', path: '/admin/audit', query: { ...options } }),
  };

  toJSON(): { baseUrl: string } {
    return { baseUrl: this.baseUrl };
  }
}
