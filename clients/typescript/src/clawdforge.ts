import { RetryOptions, Transport } from './http.js';
import { Session } from './session.js';
import { readEvents, streamError } from './sse.js';
import type {
  AppToken,
  BackgroundRun,
  BackgroundRunAccepted,
  BackgroundRunEvent,
  AuditListOptions,
  AuditRow,
  CreatedToken,
  CreateTokenRequest,
  DeletedFile,
  Health,
  ListOptions,
  NewSessionOptions,
  OwnUsage,
  Page,
  RunRequest,
  RunResult,
  RunStreamEvent,
  SessionState,
  SessionSummary,
  StoredFile,
  Success,
  UpdateTokenRequest,
  UploadedFile,
  UsageGroup,
  UsageListOptions,
} from './types.js';

export interface ClawdforgeOptions {
  /** e.g. `http://192.168.0.5:8800` */
  baseUrl: string;
  /** An app token (`cf_…`), or the admin token for `tokens`, `audit` and `ledger`. */
  token: string;
  /**
   * Retry 429 answers, waiting as Retry-After says, and runs, sessions and turns that got no answer
   * (a dropped connection: the retry carries the same Idempotency-Key). Off unless given.
   */
  retry?: RetryOptions;
  /**
   * Send a fresh Idempotency-Key with every run, new session and turn not given one (default true).
   * A keyed call's work goes on when its client goes away; with false, only given keys are sent, and
   * aborting a call without one stops its work on the server.
   */
  idempotencyKeys?: boolean;
}

/** Options of a call that starts paid work or creates state (a run, a new session, a turn). */
export interface IdempotentOptions {
  /**
   * Its Idempotency-Key (1 to 255 printable ASCII characters): the same key with the same request
   * within a day is answered the first answer again, run once and billed once. A fresh UUID when
   * not given.
   */
  idempotencyKey?: string;
}

export interface RunOptions extends IdempotentOptions {
  signal?: AbortSignal;
}

export interface UploadOptions {
  filename?: string;
  ttlSecs?: number;
}

/** The clawdforge API. The token is held privately: it never shows in inspection, JSON or errors. */
export class Clawdforge {
  readonly #http: Transport;

  constructor(options: ClawdforgeOptions) {
    this.#http = new Transport(options.baseUrl, options.token, options.retry, options.idempotencyKeys ?? true);
  }

  get baseUrl(): string {
    return this.#http.baseUrl;
  }

  /** GET /healthz: needs no token. A server whose database is down answers 503 (a ClawdforgeError). */
  health(): Promise<Health> {
    return this.#http.json<Health>({ method: 'GET', path: '/healthz' });
  }

  run(request: RunRequest, options: RunOptions = {}): Promise<RunResult> {
    return this.#http.json<RunResult>({ method: 'POST', path: '/run', json: request, signal: options.signal, idempotent: true, idempotencyKey: options.idempotencyKey });
  }

  /** Text deltas and tool calls as the model writes, then the result; an `error` event is thrown as ClawdforgeError. */
  async *runStream(request: RunRequest, options: RunOptions = {}): AsyncGenerator<RunStreamEvent> {
    const res = await this.#http.send({
      method: 'POST',
      path: '/run',
      json: request,
      accept: 'text/event-stream',
      signal: options.signal,
      idempotent: true,
      idempotencyKey: options.idempotencyKey,
    });
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

  deleteFile(fileToken: string): Promise<DeletedFile> {
    return this.#http.json<DeletedFile>({ method: 'DELETE', path: `/files/${encodeURIComponent(fileToken)}` });
  }

  async newSession(request: NewSessionOptions = {}, options: IdempotentOptions = {}): Promise<Session> {
    const state = await this.#http.json<SessionState>({ method: 'POST', path: '/sessions', json: request, idempotent: true, idempotencyKey: options.idempotencyKey });
    return new Session(this.#http, state.session_id);
  }

  /** A handle on an existing session (no request is made). */
  getSession(id: string): Session {
    return new Session(this.#http, id);
  }

  listSessions(options: ListOptions = {}): Promise<Page<SessionSummary>> {
    return this.#http.json<Page<SessionSummary>>({ method: 'GET', path: '/sessions', query: { ...options } });
  }

  /** This token's spend today and this month, its limits and the budget left. */
  usage(): Promise<OwnUsage> {
    return this.#http.json<OwnUsage>({ method: 'GET', path: '/usage' });
  }

  /** Background runs: started without waiting, read back by id, their events resumable. */
  readonly runs = {
    /** POST /run with `background: true`: answers at once; the run goes on whatever becomes of this client. */
    start: (request: RunRequest, options: IdempotentOptions = {}) =>
      this.#http.json<BackgroundRunAccepted>({ method: 'POST', path: '/run', json: { ...request, background: true }, idempotent: true, idempotencyKey: options.idempotencyKey }),
    get: (runId: string) => this.#http.json<BackgroundRun>({ method: 'GET', path: this.runPath(runId) }),
    list: (options: ListOptions = {}) => this.#http.json<Page<BackgroundRun>>({ method: 'GET', path: '/runs', query: { ...options } }),
    /** Stops a queued or running one; an ended one is answered as it is. */
    cancel: (runId: string) => this.#http.json<BackgroundRun>({ method: 'DELETE', path: this.runPath(runId) }),
    /** Its events after `after` (0: from the first), then the rest as they come, until it ends. */
    events: (runId: string, options: { after?: number; signal?: AbortSignal } = {}) => this.runEvents(runId, options),
  };

  /** Admin routes: the client must hold the admin token. */
  readonly tokens = {
    /** Mints a token; `options` is its `ip_cidrs`, or them and its limits. The plaintext `token` is in this answer only. */
    create: (name: string, options: string[] | Omit<CreateTokenRequest, 'name'> = {}) => {
      const body: CreateTokenRequest = Array.isArray(options) ? { name, ip_cidrs: options } : { ...options, name };
      return this.#http.json<CreatedToken>({ method: 'POST', path: '/admin/tokens', json: body });
    },
    list: (options: ListOptions = {}) => this.#http.json<Page<AppToken>>({ method: 'GET', path: '/admin/tokens', query: { ...options } }),
    get: (name: string) => this.#http.json<Success<AppToken>>({ method: 'GET', path: this.tokenPath(name) }),
    /** Changes a live token's limits or ip_cidrs: a field left out stays, null lifts it. */
    update: (name: string, patch: UpdateTokenRequest) => this.#http.json<Success<AppToken>>({ method: 'PATCH', path: this.tokenPath(name), json: patch }),
    revoke: (name: string) => this.#http.json<Success<AppToken>>({ method: 'DELETE', path: this.tokenPath(name) }),
  };

  readonly audit = {
    list: (options: AuditListOptions = {}) => this.#http.json<Page<AuditRow>>({ method: 'GET', path: '/admin/audit', query: { ...options } }),
  };

  /** The usage ledger of every token (admin). */
  readonly ledger = {
    list: (options: UsageListOptions = {}) => this.#http.json<Page<UsageGroup>>({ method: 'GET', path: '/admin/usage', query: { ...options } }),
  };

  toJSON(): { baseUrl: string } {
    return { baseUrl: this.baseUrl };
  }

  private async *runEvents(runId: string, options: { after?: number; signal?: AbortSignal }): AsyncGenerator<BackgroundRunEvent> {
    const res = await this.#http.send({ method: 'GET', path: `${this.runPath(runId)}/events`, query: { after: options.after ?? 0 }, accept: 'text/event-stream', signal: options.signal });
    for await (const { event, data, id } of readEvents(res)) {
      const seq = Number(id);
      if (event === 'delta') yield { seq, type: 'delta', text: (data as { text: string }).text };
      else if (event === 'tool_use') yield { seq, type: 'tool_use', ...(data as { id: string; name: string }) };
      else if (event === 'result') yield { seq, type: 'result', result: data as RunResult };
      else if (event === 'error') yield { seq, type: 'error', error: (data as { error: { code: string; message: string } }).error };
    }
  }

  private runPath(runId: string): string {
    return `/runs/${encodeURIComponent(runId)}`;
  }

  private tokenPath(name: string): string {
    return `/admin/tokens/${encodeURIComponent(name)}`;
  }
}
