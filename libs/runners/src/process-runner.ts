export interface ProcessRunOptions {
  args: readonly string[];
  cwd?: string;
  /** The child's complete environment (see buildChildEnv); never merged with process.env. */
  env: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed; when absent stdin is closed at once, never left open. */
  stdin?: string | Buffer;
  /** Whole-run limit: on expiry the process group gets SIGTERM, then SIGKILL after killGraceMs. */
  timeoutMs?: number;
  killGraceMs?: number;
  /** Cap on stdout bytes and, separately, stderr bytes; past it the group is killed. */
  maxOutputBytes?: number;
  /** Aborting kills the process group (client gone, shutdown). */
  signal?: AbortSignal;
  /** Each complete stdout line as it arrives; stdout is still collected. */
  onStdoutLine?: (line: string) => void;
}

/** How the child ended: on its own, or stopped by us for a timeout, an abort, its output size, or server shutdown. */
export type ProcessOutcome = 'exited' | 'timeout' | 'aborted' | 'output_too_large' | 'shutdown';

export interface ProcessResult {
  outcome: ProcessOutcome;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** The one way the project starts a process. Abstract class as DI token; tests fake it here. */
export abstract class ProcessRunner {
  /** Rejects with CliNotFoundError when the executable is missing or not executable; otherwise resolves. */
  abstract run(command: string, options: ProcessRunOptions): Promise<ProcessResult>;
  /**
   * For server shutdown: refuses new processes from now on, stops every child still running
   * (TERM, then KILL after the grace) and resolves when all have exited.
   */
  abstract shutdown(graceMs?: number): Promise<void>;
  abstract get running(): number;
}
