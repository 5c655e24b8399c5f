import { randomBytes } from 'node:crypto';
import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import type { TokenPrincipal } from '@clawdforge/auth';
import { InstanceIdentity } from '@clawdforge/cluster';
import { ApiError, AppConfig, Clock, ERROR_CODES, RequestContext, resolveModel } from '@clawdforge/core';
import { RunRequestDto } from '../dto/run-request.dto';
import { RunService } from '../run.service';
import { BackgroundRun, BackgroundRunEvent, BackgroundRunStatus } from './background-run.entity';
import { BackgroundRunsRepository } from './background-runs.repository';
import { LiveRun, RunEvent } from './live-run';

/** How often a running run's new events are written. */
const EVENT_FLUSH_MS = 100;
/** How long DELETE waits for a cancelled run to stop and say so: the stop's interrupt and kill graces. */
const SETTLE_WAIT_MS = 5000;
/** How often a stream reader of a run on another instance looks for its new events. */
const POLL_MS = 250;

const INTERRUPTED = { ok: false, error: { code: 'interrupted', message: 'the server stopped while the run was running; what it had cost is in /usage' } };

/**
 * Runs started with `"background": true`: through the same RunService as any run (queue, policy,
 * budget, ledger), but owned by no connection. Each run's state and, once it ends, the answer a
 * plain /run would have given are kept in the database; its events are kept too, numbered, so its
 * stream can be read from any point, during the run and for RUN_RESULT_TTL_SECS after.
 */
@Injectable()
export class BackgroundRuns implements BeforeApplicationShutdown {
  private readonly logger = new Logger(BackgroundRuns.name);
  private readonly live = new Map<string, LiveRun>();

  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly repository: BackgroundRunsRepository,
    private readonly runs: RunService,
    private readonly instance: InstanceIdentity,
  ) {}

  /** Records the run as queued and starts it; answers at once. A model the server does not take is refused here, before anything is recorded. */
  async start(token: TokenPrincipal, body: RunRequestDto, origin: RequestContext): Promise<BackgroundRun> {
    const { background: _background, stream: _stream, ...input } = body;
    resolveModel(input.model, this.config);
    const run = await this.repository.insert({
      runId: `run_${randomBytes(18).toString('base64url')}`,
      tokenId: token.id,
      instanceId: this.instance.id,
      status: 'queued',
      request: JSON.stringify(input),
      httpStatus: null,
      answer: null,
      createdAt: this.clock.now(),
      startedAt: null,
      finishedAt: null,
      expiresAt: null,
    });
    const live = new LiveRun();
    this.live.set(run.runId, live);
    void this.execute(run, token, input, origin, live);
    return run;
  }

  /** The token's run; null for an unknown id or another token's run. */
  find(tokenId: number, runId: string): Promise<BackgroundRun | null> {
    return this.repository.ofToken(tokenId, runId);
  }

  page(tokenId: number, limit: number, beforeId?: number): Promise<BackgroundRun[]> {
    return this.repository.page(tokenId, limit, beforeId);
  }

  /** Whether the run runs here (else, while unfinished, on another instance). */
  isHere(runId: string): boolean {
    return this.live.has(runId);
  }

  /** Stops a run queued or running here, as a timeout would; its record then says cancelled. */
  cancel(runId: string): boolean {
    const live = this.live.get(runId);
    if (!live) return false;
    live.abort.abort();
    return true;
  }

  /** The run's record once it has ended, when it runs here (a cancelled run takes a moment to stop); else as it is now. */
  async settled(tokenId: number, runId: string): Promise<BackgroundRun | null> {
    const live = this.live.get(runId);
    if (live) await Promise.race([live.done, new Promise((resolve) => setTimeout(resolve, SETTLE_WAIT_MS).unref())]);
    return this.repository.ofToken(tokenId, runId);
  }

  /**
   * The run's events after `afterSeq`, then the rest as they come, until it ends: from memory while
   * it runs here, else from the database (polled while it runs on another instance).
   */
  read(run: BackgroundRun, afterSeq: number, reader: { event: (event: RunEvent) => void; end: () => void }, gone: AbortSignal): void {
    const live = this.live.get(run.runId);
    if (live) {
      const stop = live.read(afterSeq, reader);
      gone.addEventListener('abort', stop, { once: true });
      return;
    }
    void (async () => {
      let seq = afterSeq;
      for (;;) {
        for (const stored of await this.repository.eventsAfter(run.runId, seq)) {
          seq = stored.seq;
          reader.event({ seq: stored.seq, event: stored.event, data: JSON.parse(stored.data) as unknown });
        }
        const now = await this.repository.ofToken(run.tokenId, run.runId);
        if (gone.aborted || !now || isEnded(now.status)) {
          // Events written between the two reads.
          if (!gone.aborted) for (const stored of await this.repository.eventsAfter(run.runId, seq)) reader.event({ seq: stored.seq, event: stored.event, data: JSON.parse(stored.data) as unknown });
          reader.end();
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    })().catch((error: Error) => {
      this.logger.error(`reading the events of ${run.runId}: ${error.message}`);
      reader.end();
    });
  }

  /** At the server's start (StartupReconciliation): runs this instance had queued or running when it stopped are interrupted. */
  async reconcile(): Promise<void> {
    for (const run of await this.repository.unfinishedOn(this.instance.id)) await this.finish(run.runId, 'interrupted', ERROR_CODES.interrupted, INTERRUPTED);
  }

  /** Ended runs past RUN_RESULT_TTL_SECS go, with their events; returns how many. */
  sweep(): Promise<number> {
    return this.repository.deleteExpired(this.clock.now());
  }

  /** Runs still going when the server stops end with it, recorded as interrupted (as after a crash) before the database closes. */
  async beforeApplicationShutdown(): Promise<void> {
    const going = [...this.live.values()];
    for (const live of going) live.abort.abort('shutdown');
    await Promise.race([Promise.all(going.map((live) => live.done)), new Promise((resolve) => setTimeout(resolve, SETTLE_WAIT_MS).unref())]);
  }

  private async execute(run: BackgroundRun, token: TokenPrincipal, input: RunRequestDto, origin: RequestContext, live: LiveRun): Promise<void> {
    const request = new RequestContext('POST');
    Object.assign(request, { tokenId: origin.tokenId, tokenName: origin.tokenName, requestId: origin.requestId, peer: origin.peer, route: origin.route });
    const pending: BackgroundRunEvent[] = [];
    const flush = async () => {
      const batch = pending.splice(0);
      await this.repository.appendEvents(batch).catch((error: Error) => this.logger.error(`events of ${run.runId} not written: ${error.message}`));
    };
    const timer = setInterval(() => void flush(), EVENT_FLUSH_MS).unref();
    const emit = (event: string, data: unknown) => {
      const pushed = live.push(event, data);
      pending.push(Object.assign(new BackgroundRunEvent(), { runId: run.runId, seq: pushed.seq, event, data: JSON.stringify(data) }));
    };
    let status: BackgroundRunStatus;
    let httpStatus: number;
    let answer: unknown;
    try {
      answer = await this.runs.run(token, input, request, live.abort.signal, {
        started: () => void this.repository.update(run.runId, { status: 'running', startedAt: this.clock.now() }),
        event: (event) => {
          if (event.type === 'delta') emit('delta', { text: event.text });
          else if (event.type === 'tool_use') emit('tool_use', { id: event.id, name: event.name });
        },
      });
      status = 'succeeded';
      httpStatus = 200;
      emit('result', answer);
    } catch (error) {
      const stopped = live.abort.signal.aborted;
      status = stopped ? (live.abort.signal.reason === 'shutdown' ? 'interrupted' : 'cancelled') : 'failed';
      const failure = error instanceof ApiError ? error : null;
      httpStatus = status === 'interrupted' ? ERROR_CODES.interrupted : (failure?.status ?? 500);
      answer =
        status === 'interrupted'
          ? INTERRUPTED
          : status === 'cancelled'
            ? { ok: false, error: { code: 'cancelled', message: 'the run was cancelled (DELETE /runs/{run_id})' } }
            : { ok: false, error: failure ? { code: failure.code, message: failure.message, ...(failure.field ? { field: failure.field } : {}) } : { code: 'internal_error', message: 'internal error' } };
      emit('error', answer);
    } finally {
      clearInterval(timer);
    }
    await flush();
    await this.finish(run.runId, status, httpStatus, answer);
    this.live.delete(run.runId);
    live.end();
  }

  private async finish(runId: string, status: BackgroundRunStatus, httpStatus: number, answer: unknown): Promise<void> {
    const now = this.clock.now();
    await this.repository.update(runId, { status, httpStatus, answer: JSON.stringify(answer), finishedAt: now, expiresAt: new Date(now.getTime() + this.config.runs.resultTtlSecs * 1000) });
  }
}

export function isEnded(status: BackgroundRunStatus): boolean {
  return status !== 'queued' && status !== 'running';
}
