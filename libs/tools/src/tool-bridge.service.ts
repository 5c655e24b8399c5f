import { randomBytes } from 'node:crypto';
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ApiError, AppConfig } from '@clawdforge/core';
import { McpEndpoint } from './mcp-endpoint';
import { ParkDirectory } from './park-directory';
import type { ToolCatalog } from './tool-catalog';
import { ToolRun } from './tool-run';

/** A parked call waits this much longer in the CLI than the gateway parks it, so the gateway's expiry always comes first. */
const CALL_TIMEOUT_MARGIN_MS = 60_000;

/** TOOL_RUNS_MAX or TOOL_RUNS_MAX_PER_TOKEN reached. */
export class TooManyToolRunsError extends ApiError {
  constructor(limit: 'token' | 'global', max: number, retryAfterSecs: number) {
    super(
      'too_many_requests',
      limit === 'token'
        ? `this token already has TOOL_RUNS_MAX_PER_TOKEN (${max}) runs with client tools alive; answer or abandon one (a parked run ends after TOOL_PARK_SECS)`
        : `the gateway already has TOOL_RUNS_MAX (${max}) runs with client tools alive, all tokens together; retry later`,
      'tools',
      { 'Retry-After': String(retryAfterSecs) },
    );
  }
}

/**
 * The tool bridge: every run with client tools alive on this instance, running or parked, by
 * owner (the token's id). It opens a run's MCP server on the endpoint, parks the run once its
 * answer has gone out (for TOOL_PARK_SECS, then stops it), finds the parked run a continuation
 * answers (its calls' ids, its owner, its history), and bounds how many runs are alive.
 */
@Injectable()
export class ToolBridge implements OnApplicationShutdown {
  private readonly runs = new Map<string, ToolRun>();
  private readonly expiries = new Map<ToolRun, NodeJS.Timeout>();

  constructor(
    private readonly config: AppConfig,
    private readonly endpoint: McpEndpoint,
    private readonly directory: ParkDirectory,
  ) {}

  /** Runs alive and not parked: between a request and its answer. */
  get running(): number {
    return this.runs.size - this.expiries.size;
  }

  /** Runs parked now, waiting for tool results. */
  get parked(): number {
    return this.expiries.size;
  }

  /** A new run with these tools for `owner`, its MCP server listening; refused past the caps. */
  async open(owner: string, catalog: ToolCatalog): Promise<ToolRun> {
    const { runsMax, runsMaxPerToken, parkSecs } = this.config.tools;
    const retryAfter = Math.min(parkSecs, 60);
    if ([...this.runs.values()].filter((run) => run.owner === owner).length >= runsMaxPerToken) throw new TooManyToolRunsError('token', runsMaxPerToken, retryAfter);
    if (this.runs.size >= runsMax) throw new TooManyToolRunsError('global', runsMax, retryAfter);
    const id = randomBytes(16).toString('base64url');
    const secret = randomBytes(32).toString('base64url');
    const url = await this.endpoint.urlFor(id);
    const run = new ToolRun(id, owner, catalog, url, secret, parkSecs * 1000 + CALL_TIMEOUT_MARGIN_MS);
    this.runs.set(id, run);
    this.endpoint.register(id, secret, run);
    return run;
  }

  /**
   * Before the run's answer goes out: it waits for the results, for TOOL_PARK_SECS at most, and the
   * other instances can find it. `expected` is the digest of the history that may continue it.
   * `again`: parked anew after a continuation that was refused, within the time it had left (a
   * client whose continuations keep being refused cannot keep a run alive past TOOL_PARK_SECS).
   */
  async park(run: ToolRun, expected: string, again = false): Promise<void> {
    if (run.state !== 'parked' || !this.runs.has(run.id)) return;
    run.expected = expected;
    const now = Date.now();
    if (!again || run.parkedUntil === null) run.parkedUntil = now + this.config.tools.parkSecs * 1000;
    const parkMs = Math.max(0, run.parkedUntil - now);
    this.expiries.set(
      run,
      setTimeout(() => {
        this.unpark(run);
        run.stop('expired');
      }, parkMs).unref(),
    );
    await this.directory.record(run.owner, run.pendingIds, new Date(run.parkedUntil));
  }

  /** The other instance that holds the parked run of `owner` waiting on exactly the calls `ids`; null when none does. */
  holder(owner: string, ids: string[]): Promise<string | null> {
    return this.directory.holder(owner, ids);
  }

  /**
   * The parked run of `owner` waiting on exactly the calls `ids`, taken out of waiting, when its
   * history is `digest`; none otherwise. A parked run whose calls these are but whose history has
   * changed is stopped: the client has gone on without it.
   */
  claim(owner: string, ids: string[], digest: string): ToolRun | undefined {
    const wanted = new Set(ids);
    for (const run of this.expiries.keys()) {
      if (run.owner !== owner || run.state !== 'parked' || run.pendingIds.length !== wanted.size || !run.pendingIds.every((id) => wanted.has(id))) continue;
      this.unpark(run);
      if (run.expected !== digest) {
        run.stop('replaced');
        return undefined;
      }
      return run;
    }
    return undefined;
  }

  /** The run has ended: its server and its place go. */
  close(run: ToolRun): void {
    this.unpark(run);
    this.endpoint.unregister(run.id);
    this.runs.delete(run.id);
  }

  onApplicationShutdown(): void {
    for (const run of this.runs.values()) run.stop('shutdown');
  }

  private unpark(run: ToolRun): void {
    const expiry = this.expiries.get(run);
    if (expiry === undefined) return;
    clearTimeout(expiry);
    this.expiries.delete(run);
    this.directory.forget(run.pendingIds);
  }
}
