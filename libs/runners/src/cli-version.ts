import { buildChildEnv } from './child-env';
import { CliNotFoundError } from './cli-not-found.error';
import type { ProcessRunner } from './process-runner';

export interface CliVersion {
  present: boolean;
  /** The first line of `<bin> --version`; null when absent or when it failed. */
  version: string | null;
  /** Why there is no version, when there is none. */
  problem?: string;
}

const PROBE_TIMEOUT_MS = 10_000;

/** Runs `<bin> --version` once. Never throws. */
export async function probeCliVersion(processes: ProcessRunner, bin: string): Promise<CliVersion> {
  try {
    const result = await processes.run(bin, { args: ['--version'], env: buildChildEnv(process.env), timeoutMs: PROBE_TIMEOUT_MS, maxOutputBytes: 64 * 1024 });
    const firstLine = result.stdout.trim().split('\n')[0]?.trim().slice(0, 100) ?? '';
    if (result.outcome !== 'exited' || result.exitCode !== 0 || firstLine === '') {
      return { present: true, version: null, problem: `--version failed (${result.outcome}, exit ${result.exitCode ?? result.signal})` };
    }
    return { present: true, version: firstLine };
  } catch (error) {
    return { present: false, version: null, problem: error instanceof CliNotFoundError ? error.message : (error as Error).message };
  }
}
