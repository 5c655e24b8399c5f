import { Injectable, Logger } from '@nestjs/common';
import { AppConfig, requestLogFields } from '@clawdforge/core';
import { buildUserMessage } from './claude-input';
import { ClaudeResultLine, findResultLine, modelOf, refusedToolCalls, streamEventOf, usageOf } from './claude-output';
import { ClaudeRunner, ClaudeRunRequest, ClaudeRunResult, ClaudeStreamEvent } from './claude-runner';
import { CliBudgetReachedError, CliFailedError, ContextLengthExceededError, sanitizeCliMessage, stderrForLog, StoppedRunError, stoppedChildError, UpstreamAuthError } from './cli-errors';
import { toolRunLineReader } from './claude-tool-events';
import { ClaudeWarmPool } from './claude-warm-pool';
import { LoginPool } from './login-pool';

/**
 * `claude -p` for one run, in a directory of its own removed afterwards whatever happened: a warm
 * spare of the same configuration when one waits (ClaudeWarmPool), else a process started now.
 */
@Injectable()
export class ClaudeCliRunner extends ClaudeRunner {
  private readonly logger = new Logger(ClaudeCliRunner.name);

  constructor(
    private readonly config: AppConfig,
    private readonly pool: ClaudeWarmPool,
    private readonly logins: LoginPool,
  ) {
    super();
  }

  /**
   * On the least busy login; a run that hits the login's rate or usage limit cools that login and,
   * when nothing of it has reached the caller yet, runs once more on another login.
   */
  async run(request: ClaudeRunRequest): Promise<ClaudeRunResult> {
    const stdin = await buildUserMessage(request.prompt, request.attachments, request.content);
    const tried = new Set<number>();
    for (;;) {
      const lease = this.logins.acquire(tried);
      tried.add(lease.login.index);
      const progress = { forwarded: false };
      try {
        return await this.runOn(lease.login.index, request, stdin, progress);
      } catch (error) {
        if (!(error instanceof LoginLimitReached)) throw error;
        this.logins.cool(lease.login.index, error.resetAt);
        if (!progress.forwarded && tried.size === 1 && this.logins.hasOtherThan(lease.login.index)) continue;
        // Nothing left to run on, or the caller has seen part of this run: the login pool says when to come back.
        throw this.logins.limitError(lease.login.index);
      } finally {
        lease.release();
      }
    }
  }

  private async runOn(login: number, request: ClaudeRunRequest, stdin: string, progress: { forwarded: boolean }): Promise<ClaudeRunResult> {
    const claude = await this.pool.acquire({
      model: request.model,
      system: request.system,
      jsonSchema: request.jsonSchema,
      maxBudgetUsd: request.maxBudgetUsd,
      clientTools: request.clientTools,
      streaming: request.onEvent !== undefined || request.clientTools !== undefined,
      login,
    });
    const onEvent = request.onEvent;
    const reader = request.clientTools !== undefined ? toolRunLineReader : forwardStreamEvents;
    try {
      const result = await claude.process.feed({
        stdin,
        timeoutMs: request.timeoutSecs * 1000,
        signal: request.signal,
        origin: request.origin,
        onStdoutLine:
          onEvent &&
          reader((event) => {
            progress.forwarded = true;
            onEvent(event);
          }),
      });

      const stopped = stoppedChildError(result.outcome, { timeoutSecs: request.timeoutSecs, maxOutputBytes: this.config.runs.outputMaxBytes });
      const line = findResultLine(result.stdout);
      if (stopped) {
        // What the CLI said the run had cost when it was interrupted: paid for, so it counts.
        if (stopped instanceof StoppedRunError && line) stopped.spent = { costUsd: costOf(line), usage: usageOf(line) };
        throw stopped;
      }

      if (!line) {
        this.logger.warn(requestLogFields(request.origin), `claude exited ${result.exitCode ?? result.signal} without a result; stderr: ${stderrForLog(result.stderr)}`);
        const detail = sanitizeCliMessage(result.stderr.split('\n').filter(Boolean).pop() ?? '');
        throw new CliFailedError(`the CLI exited (${result.exitCode ?? result.signal}) without a result${detail ? `: ${detail}` : ''}`);
      }
      if (line.subtype === 'error_max_budget_usd') throw new CliBudgetReachedError(costOf(line), usageOf(line));
      if (line.is_error || result.exitCode !== 0 || line.subtype !== 'success') {
        if (isLoginFailure(line)) throw new UpstreamAuthError();
        const limit = loginLimitOf(line);
        if (limit) throw limit;
        if (isContextOverflow(line)) throw new ContextLengthExceededError();
        const status = line.api_error_status ? ` (upstream ${line.api_error_status})` : '';
        const said = typeof line.result === 'string' && line.result ? line.result : (line.subtype ?? 'error');
        throw new CliFailedError(`the CLI reported an error${status}: ${sanitizeCliMessage(said)}`);
      }
      if (request.jsonSchema !== undefined && line.structured_output === undefined) {
        throw new CliFailedError('the model did not return output in the requested json_schema', 'structured_output_missing');
      }
      return {
        text: typeof line.result === 'string' ? line.result : '',
        structuredOutput: line.structured_output,
        stopReason: line.stop_reason ?? null,
        model: modelOf(line),
        sessionId: line.session_id ?? null,
        usage: usageOf(line),
        costUsd: costOf(line),
        toolsRefused: refusedToolCalls(result.stdout, line),
        durationMs: result.durationMs,
      };
    } finally {
      await claude.process.retire();
      await claude.dispose().catch((error: Error) => this.logger.error(requestLogFields(request.origin), `run directory not removed: ${error.message}`));
    }
  }
}

/** A stdout line handler that passes each text delta or tool call on to `onEvent`. */
function forwardStreamEvents(onEvent: (event: ClaudeStreamEvent) => void): (line: string) => void {
  return (line) => {
    const event = streamEventOf(line);
    if (event) onEvent(event);
  };
}

function costOf(line: ClaudeResultLine): number | null {
  return typeof line.total_cost_usd === 'number' ? line.total_cost_usd : null;
}

/** The run hit its login's rate or usage limit; `resetAt` when the CLI said when it lifts. */
class LoginLimitReached extends Error {
  constructor(readonly resetAt: Date | null) {
    super('the login hit a rate or usage limit');
  }
}

/**
 * 429 (the login's rate limit) from the API, or the CLI's usage-limit message, which ends in
 * `|<epoch seconds>` of its reset. A 529 (overloaded) is the API's, not the login's: not here.
 */
function loginLimitOf(line: ClaudeResultLine): LoginLimitReached | null {
  const said = typeof line.result === 'string' ? line.result : '';
  const usage = /usage limit reached(?:\|(\d{9,11}))?/i.exec(said);
  if (usage) return new LoginLimitReached(usage[1] ? new Date(Number(usage[1]) * 1000) : null);
  if (line.api_error_status === 429) return new LoginLimitReached(null);
  return null;
}

/** The API's 400 for a prompt past the context window, as the CLI reports it. */
function isContextOverflow(line: ClaudeResultLine): boolean {
  const said = typeof line.result === 'string' ? line.result : '';
  return /prompt is too long/i.test(said);
}

/** The API refused the credentials (401), or the CLI says the login is missing or expired. */
function isLoginFailure(line: ClaudeResultLine): boolean {
  if (line.api_error_status === 401) return true;
  const said = typeof line.result === 'string' ? line.result : '';
  return /invalid api key|authentication_error|oauth token has expired|please run \/login|not logged in/i.test(said);
}
