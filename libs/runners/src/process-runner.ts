import type { RequestContext } from '@clawdforge/core';

/** What a process is started with. */
export interface ProcessStartOptions {
  args: readonly string[];
  cwd?: string;
  /** The child's complete environment (see buildChildEnv); never merged with process.env. */
  env: NodeJS.ProcessEnv;
  /** After SIGTERM, how long before SIGKILL. */
  killGraceMs?: number;
  /** Cap on stdout bytes and, separately, stderr bytes; past it the group is killed. */
  maxOutputBytes?: number;
  /**
   * A fed child stopped for a timeout, an abort or shutdown first gets `signal` alone, so it can end
   * on its own terms (claude writes what the run has spent), and the group SIGTERM `graceMs` later.
   */
  interrupt?: { signal: NodeJS.Signals; graceMs: number };
}

/** What a started process is then given: its input, and the limits of its run. */
export interface ProcessFeedOptions {
  /** Written to stdin, which is then closed; when absent stdin is closed at once, never left open. */
  stdin?: string | Buffer;
  /** Whole-run limit, counted from the feed: on expiry the process group gets SIGTERM, then SIGKILL after killGraceMs. */
  timeoutMs?: number;
  /** Aborting kills the process group (client gone, shutdown). */
  signal?: AbortSignal;
  /** Each complete stdout line as it arrives (lines printed before the feed first); stdout is still collected. */
  onStdoutLine?: (line: string) => void;
  /**
   * The request this run serves: the child is recorded with it (for its audit row should the
   * server die mid-run) and the lines logged about it carry the request's id.
   */
  origin?: RequestContext;
}

export type ProcessRunOptions = ProcessStartOptions & ProcessFeedOptions;

/** How the child ended: on its own, or stopped by us for a timeout, an abort, its output size, or server shutdown. */
export type ProcessOutcome = 'exited' | 'timeout' | 'aborted' | 'output_too_large' | 'shutdown';

export interface ProcessResult {
  outcome: ProcessOutcome;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** From the feed to the exit. */
  durationMs: number;
}

/**
 * A process started ahead of its input (a warm spare), or about to get it at once. It is fed
 * once; one never fed is retired.
 */
export interface StartedProcess {
  /** Undefined when it could not be started. */
  readonly pid: number | undefined;
  /** Still running and not yet fed: only then may it be handed out. */
  readonly waiting: boolean;
  /** Resolves when the process has ended, fed or not (at once when it could not be started). */
  readonly ended: Promise<void>;
  /**
   * Writes its input and arms the run's limits. Rejects with CliNotFoundError when the executable
   * was missing, and when fed twice; otherwise resolves when the process exits.
   */
  feed(options: ProcessFeedOptions): Promise<ProcessResult>;
  /** Stops a process that will not be fed, as shutdown does; resolves once it has exited. */
  retire(): Promise<void>;
}

/** The one way the project starts a process. Abstract class as DI token; tests fake it here. */
export abstract class ProcessRunner {
  /** Starts a process that waits for its input; throws ShuttingDownError once shutdown began. */
  abstract start(command: string, options: ProcessStartOptions): StartedProcess;

  /** Starts and feeds at once. Rejects with CliNotFoundError when the executable is missing or not executable. */
  run(command: string, options: ProcessRunOptions): Promise<ProcessResult> {
    let started: StartedProcess;
    try {
      started = this.start(command, options);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    return started.feed(options);
  }

  /**
   * For server shutdown: refuses new processes from now on, stops every child still running
   * (TERM, then KILL after the grace) and resolves when all have exited.
   */
  abstract shutdown(graceMs?: number): Promise<void>;
  /** Children alive now, spares included. */
  abstract get running(): number;
}
