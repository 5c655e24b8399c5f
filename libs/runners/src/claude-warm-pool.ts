import { randomUUID } from 'node:crypto';
import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '@clawdforge/core';
import { AgentConfinement } from './agent-confinement';
import { buildClaudeArgs, clientToolsEnv } from './claude-args';
import type { ClaudeRunRequest } from './claude-runner';
import { buildChildEnv } from './child-env';
import { ClaudeStateDirs } from './claude-state';
import { ProcessRunner } from './process-runner';
import { RunWorkspace } from './run-workspace';
import { Spare, WarmPool } from './warm-pool';

/** After SIGINT, how long a claude run has to print its last result line before the group gets SIGTERM (it takes about 0.1 s). */
export const CLAUDE_INTERRUPT_GRACE_MS = 1500;

/** Everything of a run that reaches the CLI's argv or environment; the prompt and files go on stdin later. */
export type ClaudeLaunch = Pick<ClaudeRunRequest, 'model' | 'system' | 'jsonSchema' | 'maxBudgetUsd' | 'clientTools'> & {
  streaming: boolean;
  /** Which of the Claude logins (CLAUDE_CONFIG_DIRS) the process runs on. */
  login: number;
};

/** A claude process for one run, in a run directory of its own that goes when the process does. */
export type ClaudeProcess = Spare;

/**
 * Where every `claude -p` of a one-shot run comes from: a spare started ahead with exactly the
 * argv and environment the run would get, or, when none waits, the same start made for the run.
 * Each process has its own directory under RUNS_DIR, and its own Claude state (ClaudeStateDirs),
 * and serves one run. The default configuration
 * (default model, no system prompt or schema) is kept warm from warmUp() on; other configurations
 * while they are in use (RUN_WARM_POOL_KEY_TTL_SECS).
 */
@Injectable()
export class ClaudeWarmPool implements OnModuleDestroy {
  private readonly pool: WarmPool<ClaudeLaunch>;
  private hits = 0;
  private misses = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly processes: ProcessRunner,
    private readonly confinement: AgentConfinement,
    private readonly state: ClaudeStateDirs,
    private readonly workspace: RunWorkspace,
  ) {
    this.pool = new WarmPool(
      {
        perKey: config.runs.warmPool,
        keyTtlMs: config.runs.warmPoolKeyTtlSecs * 1000,
        max: config.runs.warmPoolMax,
        maxIdleMs: config.runs.warmPoolMaxIdleSecs * 1000,
      },
      (launch) => this.start(launch),
    );
  }

  /** Spares waiting now. */
  get spares(): number {
    return this.pool.size;
  }

  /** Process ids of the spares waiting now. */
  get sparePids(): number[] {
    return this.pool.pids;
  }

  /** Runs served by a spare, and runs that had to start their own process. */
  get counts(): { hits: number; misses: number } {
    return { hits: this.hits, misses: this.misses };
  }

  /** Starts keeping the default configuration warm; the server calls it once RUNS_DIR is cleaned up. */
  warmUp(): void {
    for (const login of this.config.logins.keys()) {
      const launch: ClaudeLaunch = { model: this.config.models.default, streaming: false, login };
      this.pool.pin(this.keyOf(launch), launch);
    }
  }

  /** Stops keeping spares and retires those waiting; shutdown calls it before it stops the children. */
  close(): Promise<void> {
    return this.pool.close();
  }

  onModuleDestroy(): Promise<void> {
    return this.close();
  }

  /** A process for one run: a waiting spare of the same launch, else a fresh one. Either is fed once, then disposed. */
  async acquire(launch: ClaudeLaunch): Promise<ClaudeProcess> {
    // A run with client tools has a bridge of its own (its URL and bearer): no spare can have been started for it.
    if (launch.clientTools !== undefined) return this.start(launch);
    const spare = this.pool.take(this.keyOf(launch), launch);
    if (spare) {
      this.hits += 1;
      return spare;
    }
    this.misses += 1;
    return this.start(launch);
  }

  private keyOf(launch: ClaudeLaunch): string {
    return [launch.login, ...buildClaudeArgs(launch, this.config.runs.tools, launch.streaming)].join('\0');
  }

  private async start(launch: ClaudeLaunch): Promise<ClaudeProcess> {
    const id = randomUUID();
    const dispose = async () => {
      await this.workspace.remove(id);
      await this.state.remove({ run: id });
    };
    try {
      const { dir: runDir, tmpDir } = await this.workspace.prepare(id);
      // Claude Code's own state for this run, apart from every other run's and the login's.
      const state = await this.state.prepare({ run: id }, this.config.logins[launch.login].dir);
      const process = this.processes.start(this.config.clis.claudeBin, {
        args: [...buildClaudeArgs(launch, this.config.runs.tools, launch.streaming), ...this.confinement.runArgs(runDir)],
        cwd: runDir,
        env: buildChildEnv(globalThis.process.env, {
          ...state.env,
          CLAUDE_CODE_MAX_RETRIES: String(this.config.clis.claudeMaxRetries),
          CLAUDE_CODE_TMPDIR: tmpDir,
          TMPDIR: tmpDir,
          DISABLE_AUTOUPDATER: '1',
          ...clientToolsEnv(launch),
        }),
        maxOutputBytes: this.config.runs.outputMaxBytes,
        // SIGINT: claude -p stops its model call and tool calls and prints a last result line with what the run cost.
        interrupt: { signal: 'SIGINT', graceMs: CLAUDE_INTERRUPT_GRACE_MS },
      });
      return { process, dispose };
    } catch (error) {
      await dispose();
      throw error;
    }
  }
}
