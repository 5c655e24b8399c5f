import { ShuttingDownError } from '../cli-errors';
import { ProcessFeedOptions, ProcessResult, ProcessRunner, ProcessStartOptions, StartedProcess } from '../process-runner';

/** How a process ended, with `fields` over a clean exit with no output. */
export function processResult(fields: Partial<ProcessResult> = {}): ProcessResult {
  return { outcome: 'exited', exitCode: 0, signal: null, stdout: '', stderr: '', durationMs: 1, ...fields };
}

/** One process the spec's subject asked for: what it was started with and what it was fed. */
export interface FakeProcess {
  command: string;
  options: ProcessStartOptions;
  feed?: ProcessFeedOptions;
}

/** What a started process answers once fed: its result, or an error its feed rejects with (CliNotFoundError, say). */
type Answer = (process: FakeProcess) => Partial<ProcessResult> | Error;

/**
 * Stands in for the one spawner: records every process asked for and answers each feed as the spec
 * says (by default a clean exit with no output), without starting anything. After shutdown() it
 * refuses to start more, as the child-process runner does.
 */
export class FakeProcessRunner extends ProcessRunner {
  readonly started: FakeProcess[] = [];
  private answer: Answer = () => ({});
  private stopped = false;
  private alive = 0;

  /** Every process from now on ends this way (fields of its result, an error, or a function of the process). */
  answerWith(answer: Partial<ProcessResult> | Error | Answer): this {
    this.answer = typeof answer === 'function' && !(answer instanceof Error) ? answer : () => answer;
    return this;
  }

  /** The commands asked for, in order. */
  get commands(): string[] {
    return this.started.map((process) => process.command);
  }

  start(command: string, options: ProcessStartOptions): StartedProcess {
    if (this.stopped) throw new ShuttingDownError();
    const process: FakeProcess = { command, options };
    this.started.push(process);
    this.alive++;
    let fed = false;
    let exited = false;
    let end: () => void = () => undefined;
    const ended = new Promise<void>((resolve) => (end = resolve));
    const exit = () => {
      if (exited) return;
      exited = true;
      this.alive--;
      end();
    };
    return {
      pid: 10_000 + this.started.length,
      get waiting() {
        return !fed;
      },
      ended,
      feed: async (feed) => {
        if (fed) throw new Error('fed twice');
        fed = true;
        process.feed = feed;
        const answer = this.answer(process);
        exit();
        if (answer instanceof Error) throw answer;
        return processResult(answer);
      },
      retire: async () => {
        fed = true;
        exit();
      },
    };
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
  }

  get running(): number {
    return this.alive;
  }
}
