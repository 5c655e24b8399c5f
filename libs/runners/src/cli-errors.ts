import { ApiError, ErrorCodeWithStatus, redactSecrets } from '@clawdforge/core';
import type { ClaudeUsage } from './claude-runner';
import type { ProcessOutcome } from './process-runner';

/** What a run had spent when it ended without its answer, as the CLI said on its way out. */
export interface RunSpend {
  costUsd: number | null;
  usage: ClaudeUsage;
}

/**
 * A run the gateway stopped (its time limit, its client gone, shutdown). Asked to stop, the claude
 * CLI writes a last result line with what the run cost so far; `spent` carries it, so the ledger and
 * the token's budget count work that was paid for but never answered.
 */
export abstract class StoppedRunError extends ApiError {
  spent: RunSpend | null = null;
}

/** What the run behind `error` spent: a run we stopped, or one the CLI stopped at its budget; null when unknown. */
export function spendOf(error: unknown): RunSpend | null {
  if (error instanceof CliBudgetReachedError) return { costUsd: error.costUsd, usage: error.usage };
  if (error instanceof StoppedRunError) return error.spent;
  return null;
}

/** The CLI ran past its time limit and was stopped. */
export class CliTimeoutError extends StoppedRunError {
  constructor(timeoutSecs: number) {
    super('timeout', `the run did not finish within ${timeoutSecs} s`);
  }
}

/** The CLI failed or said it failed; the message is the CLI's own, sanitised. */
export class CliFailedError extends ApiError {
  constructor(message: string, code: ErrorCodeWithStatus<502> = 'cli_failed') {
    super(code, message);
  }
}

/** The upstream API refused the prompt as longer than the model's context window. */
export class ContextLengthExceededError extends ApiError {
  constructor() {
    super('context_length_exceeded', "the prompt is longer than the model's context window; shorten the messages");
  }
}

/** The client went away, so the run was stopped; nobody reads the answer, but the audit row says so. */
export class RunCancelledError extends StoppedRunError {
  constructor() {
    super('cancelled', 'the client disconnected');
  }
}

/** The CLI stopped the run at the budget it was given; what it spent so far still counts. */
export class CliBudgetReachedError extends ApiError {
  constructor(
    readonly costUsd: number | null,
    readonly usage: ClaudeUsage,
  ) {
    super('budget_exceeded', 'the run was stopped when it reached the budget left to this token');
  }
}

/** The claude login is missing, expired or refused: no retry helps until someone logs in again. */
export class UpstreamAuthError extends ApiError {
  constructor() {
    super('upstream_auth', 'the claude login is missing or expired: run "claude /login" as the server’s user (or set a valid API key)', undefined, { 'Retry-After': '60' });
  }
}

/** The server is stopping and takes no new runs. */
export class ShuttingDownError extends StoppedRunError {
  constructor() {
    super('shutting_down', 'the server is shutting down', undefined, { 'Retry-After': '5' });
  }
}

/**
 * The error for a child we stopped ourselves (timeout, client gone, shutdown, output cap), or null
 * when it exited on its own. The one mapping both the claude runner and the acpx driver use.
 */
export function stoppedChildError(outcome: ProcessOutcome, limits: { timeoutSecs: number; maxOutputBytes: number }): ApiError | null {
  switch (outcome) {
    case 'timeout':
      return new CliTimeoutError(limits.timeoutSecs);
    case 'aborted':
      return new RunCancelledError();
    case 'shutdown':
      return new ShuttingDownError();
    case 'output_too_large':
      return new CliFailedError(`the output passed ${limits.maxOutputBytes} bytes`, 'output_too_large');
    case 'exited':
      return null;
  }
}

const ABSOLUTE_PATH = /(?:\/[\w.@+-]+){2,}\/?/g;
const MAX_MESSAGE_CHARS = 500;
const MAX_LOG_CHARS = 2000;
// Control characters other than tab and newline: a terminal escape has no place in JSON for a client.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/** A CLI message fit for a client: no keys or tokens, no filesystem paths, no control characters, bounded. */
export function sanitizeCliMessage(text: string, maxChars = MAX_MESSAGE_CHARS): string {
  const cleaned = redactSecrets(text)
    .replace(ABSOLUTE_PATH, '[path]')
    .replace(CONTROL_CHARS, '')
    .trim();
  return cleaned.length > maxChars ? `${cleaned.slice(0, maxChars)}…` : cleaned;
}

/** A CLI's stderr for the server log: the last part of it, cleaned as a client's message is (the log is read by more people than the admin). */
export function stderrForLog(stderr: string): string {
  // Cleaned whole before it is cut, so no secret is split into a piece the patterns miss.
  const cleaned = sanitizeCliMessage(stderr, Number.POSITIVE_INFINITY);
  return cleaned.length > MAX_LOG_CHARS ? `…${cleaned.slice(-MAX_LOG_CHARS)}` : cleaned;
}
