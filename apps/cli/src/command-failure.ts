import { ApiError } from '@clawdforge/core';
import type { CliPrinter } from './cli-printer';

/** Runs a command body; any failure becomes one line on stderr and exit code 1. */
export async function reportFailure(printer: CliPrinter, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    printer.err(`error: ${error instanceof ApiError ? error.message : (error as Error).message}`);
    process.exitCode = 1;
  }
}
