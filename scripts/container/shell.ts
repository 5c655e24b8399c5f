import { spawn } from 'node:child_process';
import * as fs from 'node:fs';

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to the child's standard input. */
  input?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Long outputs (builds) go to this file as they come, not to memory; a failure prints its tail. */
  logTo?: string;
  /** A non-zero exit is returned, not thrown. */
  allowFailure?: boolean;
  timeoutMs?: number;
}

const TAIL_LINES = 60;

export class CommandFailed extends Error {}

/** Runs a program (no shell), and fails with what it printed unless it exits 0 or allowFailure says otherwise. */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const input = options.input === undefined ? 'ignore' : 'pipe';
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: [input, 'pipe', 'pipe'] });
    const log = options.logTo ? fs.createWriteStream(options.logTo, { flags: 'a' }) : null;
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (log ? log.write(chunk) : (stdout += chunk)));
    child.stderr!.on('data', (chunk: Buffer) => (log ? log.write(chunk) : (stderr += chunk)));
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : null;
    child.on('error', (error) => {
      if (timer) clearTimeout(timer);
      reject(new CommandFailed(`${command}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const done = () => {
        const ran = { code, stdout, stderr };
        if (code === 0 || options.allowFailure) return resolve(ran);
        const printed = options.logTo ? tail(options.logTo) : `${stdout}${stderr}`.trim();
        reject(new CommandFailed(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`})${printed ? `:\n${printed}` : ''}`));
      };
      if (log) log.end(done);
      else done();
    });
    if (child.stdin) {
      // A child that exits without reading all of it is judged by its exit code, not by EPIPE.
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input);
    }
  });
}

function tail(file: string): string {
  const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
  return lines.slice(-TAIL_LINES).join('\n');
}

/** Seconds since `start` (a performance.now() reading), to one decimal. */
export function secondsSince(start: number): number {
  return Math.round((performance.now() - start) / 100) / 10;
}
