import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { Injectable, Logger, OnApplicationShutdown, Optional } from '@nestjs/common';
import { type RequestContext, requestLogFields } from '@clawdforge/core';
import { ChildRegistry, childOwnerOf } from './child-registry';
import { CliFailedError, ShuttingDownError } from './cli-errors';
import { CliNotFoundError } from './cli-not-found.error';
import { ProcessFeedOptions, ProcessOutcome, ProcessResult, ProcessRunner, ProcessStartOptions, StartedProcess } from './process-runner';

const DEFAULT_KILL_GRACE_MS = 2000;
const DEFAULT_MAX_OUTPUT_BYTES = 10 * 1024 * 1024;

interface Live {
  child: ChildProcess;
  stop: (outcome: ProcessOutcome, graceMs?: number) => void;
  exited: Promise<unknown>;
}

/**
 * Spawns without a shell, each child the leader of its own process group, so a timeout, an
 * abort or shutdown can signal the child together with everything it started.
 */
@Injectable()
export class ChildProcessRunner extends ProcessRunner implements OnApplicationShutdown {
  private readonly live = new Set<Live>();
  private closed = false;

  /** Without a registry (unit tests) children are not recorded on disk. */
  constructor(@Optional() private readonly registry?: ChildRegistry) {
    super();
  }

  get running(): number {
    return this.live.size;
  }

  start(command: string, options: ProcessStartOptions): StartedProcess {
    if (this.closed) throw new ShuttingDownError();
    const maxBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    const defaultGrace = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
    let outcome: ProcessOutcome = 'exited';
    let killTimer: NodeJS.Timeout | undefined;
    let interruptTimer: NodeJS.Timeout | undefined;
    let timeoutTimer: NodeJS.Timeout | undefined;
    let fedAt: number | undefined;
    let fed: ProcessFeedOptions | undefined;
    let failure: Error | undefined;
    let settle!: (result: ProcessResult | Error) => void;
    const settled = new Promise<ProcessResult | Error>((resolve) => (settle = resolve));

    let child: ChildProcess;
    try {
      child = spawn(command, [...options.args], {
        cwd: options.cwd,
        env: options.env,
        shell: false,
        detached: true,
        windowsHide: true,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    } catch (error) {
      return failedStart(spawnFailure(command, error));
    }

    const signalGroup = (signal: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // The group is already gone.
      }
    };
    const terminate = (graceMs: number) => {
      clearTimeout(interruptTimer);
      signalGroup('SIGTERM');
      killTimer ??= setTimeout(() => signalGroup('SIGKILL'), graceMs);
    };
    const stop = (why: ProcessOutcome, graceMs = defaultGrace) => {
      if (outcome === 'exited') outcome = why;
      const interrupt = options.interrupt;
      // Only a fed child has work to account for; output past its cap is not waited on.
      if (interrupt && fed !== undefined && why !== 'output_too_large' && killTimer === undefined) {
        if (interruptTimer !== undefined) return;
        try {
          process.kill(child.pid!, interrupt.signal);
        } catch {
          // Already gone.
        }
        interruptTimer = setTimeout(() => terminate(graceMs), interrupt.graceMs);
        return;
      }
      terminate(graceMs);
    };

    const stdout = collector(maxBytes, () => stop('output_too_large'));
    const stderr = collector(maxBytes, () => stop('output_too_large'));
    child.stdout!.on('data', stdout.push);
    child.stderr!.on('data', stderr.push);
    // A child that exits before reading its stdin makes the write fail with EPIPE: not our error.
    child.stdin!.on('error', () => undefined);

    const onAbort = () => stop('aborted');
    let exited!: () => void;
    const entry: Live = { child, stop, exited: new Promise<void>((r) => (exited = r)) };

    child.once('error', (error: NodeJS.ErrnoException) => {
      cleanup();
      if (child.pid === undefined) {
        failure = spawnFailure(command, error);
        settle(failure);
      }
    });
    child.once('close', (exitCode, signal) => {
      cleanup();
      // Grandchildren may outlive the leader; the group goes with it.
      signalGroup('SIGKILL');
      stdout.flush();
      settle({
        outcome,
        exitCode,
        signal,
        stdout: stdout.text(),
        stderr: stderr.text(),
        durationMs: Math.round(performance.now() - (fedAt ?? performance.now())),
      });
    });

    const cleanup = () => {
      clearTimeout(timeoutTimer);
      clearTimeout(interruptTimer);
      clearTimeout(killTimer);
      fed?.signal?.removeEventListener('abort', onAbort);
      if (this.live.delete(entry)) {
        this.registry?.forget(child.pid!);
        exited();
      }
    };

    if (child.pid !== undefined) {
      // Recorded at once, before it serves anyone: a spare (and a child the server dies before feeding) is reaped after a crash, never reported as a lost run.
      this.registry?.record(child.pid, null);
      this.live.add(entry);
    }
    const ended = settled.then(() => undefined);

    return {
      pid: child.pid,
      get waiting() {
        return fed === undefined && failure === undefined && child.exitCode === null && child.signalCode === null && outcome === 'exited';
      },
      ended,
      feed: (feedOptions) => {
        if (failure) return Promise.reject(failure);
        if (fed) return Promise.reject(new Error('a process is fed once'));
        fed = feedOptions;
        fedAt = performance.now();
        // Recorded without an owner when started; the request it now serves is its owner from here on.
        if (feedOptions.origin && child.pid !== undefined && this.live.has(entry)) this.registry?.record(child.pid, childOwnerOf(feedOptions.origin));
        if (feedOptions.onStdoutLine) stdout.onLine(guarded(feedOptions.onStdoutLine, feedOptions.origin));
        child.stdin!.end(feedOptions.stdin);
        if (this.live.has(entry)) {
          if (feedOptions.timeoutMs !== undefined) timeoutTimer = setTimeout(() => stop('timeout'), feedOptions.timeoutMs);
          if (feedOptions.signal?.aborted) onAbort();
          else feedOptions.signal?.addEventListener('abort', onAbort, { once: true });
        }
        return settled.then((result) => (result instanceof Error ? Promise.reject(result) : result));
      },
      retire: () => {
        if (this.live.has(entry)) stop('shutdown');
        return ended;
      },
    };
  }

  async shutdown(graceMs = DEFAULT_KILL_GRACE_MS): Promise<void> {
    this.closed = true;
    const all = [...this.live];
    for (const entry of all) entry.stop('shutdown', graceMs);
    await Promise.all(all.map((entry) => entry.exited));
  }

  onApplicationShutdown(): Promise<void> {
    return this.shutdown();
  }
}

const lineLogger = new Logger('ChildOutput');

/**
 * A line handler that cannot throw: it runs inside the stream's 'data' event, where an exception
 * would take the whole server down, and a child's output is not ours to trust. A line its handler
 * chokes on is logged (by length, never its content) and skipped.
 */
function guarded(onLine: (line: string) => void, origin: RequestContext | undefined): (line: string) => void {
  return (line) => {
    try {
      onLine(line);
    } catch (error) {
      lineLogger.error(requestLogFields(origin), `a ${line.length}-character output line was skipped: its handler failed (${(error as Error).message})`);
    }
  };
}

/**
 * Only the error code goes on: Node's spawn error carries the whole argv (a system prompt, say) in
 * spawnargs, which no log or answer should repeat.
 */
function spawnFailure(command: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'ENOTDIR') return new CliNotFoundError(command);
  return new CliFailedError(`${path.basename(command)} could not be started (${code ?? 'error'})`);
}

/** A process that could not be started: feeding it gives the reason. */
function failedStart(error: Error): StartedProcess {
  return { pid: undefined, waiting: false, ended: Promise.resolve(), feed: () => Promise.reject(error), retire: () => Promise.resolve() };
}

/**
 * Collects a stream up to a byte cap. Once a line handler is set, it gets the complete lines seen
 * so far and then each one as it arrives.
 */
function collector(maxBytes: number, onOverflow: () => void) {
  const chunks: Buffer[] = [];
  let bytes = 0;
  let overflowed = false;
  let partial = '';
  let onLine: ((line: string) => void) | undefined;
  // Decodes across chunk boundaries, so a multi-byte character split between reads stays whole.
  const decoder = new StringDecoder('utf8');
  const split = (text: string) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) onLine!(line);
  };
  return {
    push: (chunk: Buffer) => {
      if (overflowed) return;
      const room = maxBytes - bytes;
      const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
      chunks.push(kept);
      bytes += kept.length;
      if (onLine) split(decoder.write(kept));
      if (chunk.length > room) {
        overflowed = true;
        onOverflow();
      }
    },
    onLine: (handler: (line: string) => void) => {
      onLine = handler;
      const seen = Buffer.concat(chunks);
      if (seen.length > 0) split(decoder.write(seen));
    },
    flush: () => {
      if (!onLine) return;
      partial += decoder.end();
      if (partial !== '' && !overflowed) onLine(partial);
      partial = '';
    },
    text: () => Buffer.concat(chunks).toString('utf8'),
  };
}
