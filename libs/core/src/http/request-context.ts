import type { IncomingMessage } from 'node:http';
import type { ClientPeer } from '../net/cidr-list';

/** What a request contributes to its audit row beyond method, route, status and timing. */
export interface AuditFields {
  model?: string | null;
  promptChars?: number | null;
  responseChars?: number | null;
  inputTokens?: number | null;
  outputTokens?: number | null;
  costUsd?: number | null;
  /** Tool calls the agent was refused during a run or turn. */
  toolsRefused?: number | null;
  sessionId?: string | null;
  turnIndex?: number | null;
  queueMs?: number | null;
  /** The end user the app named (OpenAI's `user`, Anthropic's `metadata.user_id`); audited only. */
  endUser?: string | null;
  /** Answered from the answer kept for its Idempotency-Key. */
  replayed?: boolean;
  /** Overrides the error code the response carried (e.g. `cancelled` when the client went away). */
  errorCode?: string | null;
}

/**
 * Per-request state shared by the guards, the handlers and the audit trail. Handed on explicitly
 * to what works for the request (a run's child process, its log lines), never looked up from an
 * async context: an AsyncLocalStorage's promise hooks cost every await of every request, cheap
 * ones included, about a tenth of their time on Node 20 and 22.
 */
export class RequestContext {
  readonly startedAt = performance.now();
  /** Wall-clock start in epoch milliseconds, for records that outlive the process (an interrupted run's audit row). */
  readonly startedAtEpochMs = Date.now();
  /** The X-Request-Id, set by requestIdFor. */
  requestId: string | null = null;
  /** The client as the allowlists resolved it, once per request before routing (ClientIpPolicy.peer). */
  peer: ClientPeer | null = null;
  /** The authenticated app token's name, `admin` for the admin token, null when unknown. */
  tokenName: string | null = null;
  /** The app token's row id, when an app token authenticated the request. */
  tokenId: number | null = null;
  /** The matched route pattern (`/admin/tokens/:name`); null when the request never reached a route. */
  route: string | null = null;
  /** Public routes (health, docs) are not audited. */
  audited = true;
  /**
   * Counted in a summary instead of a request line and an audit row of its own: a refusal of a peer
   * outside the allowlist past the few each peer gets a minute (RefusalSampler).
   */
  summarised = false;
  readonly audit: AuditFields = {};
  /** Work for the request that may go on after its client has gone (a run being stopped); see track. */
  private readonly ongoing: Promise<unknown>[] = [];

  constructor(readonly method: string | null = null) {}

  /**
   * Should the client go away, the request's audit row waits for `work` to settle (a stopped run
   * settles what it spent on its way out), so the row says what the request cost.
   */
  track<T>(work: Promise<T>): Promise<T> {
    this.ongoing.push(work);
    return work;
  }

  /** Resolves once the tracked work has settled, or after `maxMs`, whichever comes first; at once when there is none. */
  settled(maxMs: number): Promise<void> {
    if (this.ongoing.length === 0) return Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, maxMs)));
    return Promise.race([Promise.allSettled(this.ongoing).then(() => undefined), late]).finally(() => clearTimeout(timer));
  }

  /** The client's address as audit rows and errors show it; null until resolved, or when it cannot be read. */
  get clientIp(): string | null {
    return this.peer?.text ?? null;
  }
}

const KEY = Symbol('clawdforge.requestContext');

/**
 * The request's context, made on first ask. The one property this server adds to a request: each
 * property added to Node's request object past its own reallocates the object's property store.
 */
export function requestContext(req: IncomingMessage): RequestContext {
  const holder = req as IncomingMessage & { [KEY]?: RequestContext };
  return (holder[KEY] ??= new RequestContext(req.method ?? null));
}

/**
 * What ties a log line to the request it is written for: the request's id as `reqId` (the key
 * pino-http gave it), or nothing for work the server does on its own account.
 */
export function requestLogFields(request: { requestId: string | null } | null | undefined): { reqId?: string } {
  return request?.requestId ? { reqId: request.requestId } : {};
}
