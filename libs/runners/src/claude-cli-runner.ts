import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@clawdforge/core';
import { buildUserMessage } from './claude-input';
import { ClaudeResultLine, findResultLine, modelOf, refusedToolCalls, streamEventOf, usageOf } from './claude-output';
import { ClaudeRunner, ClaudeRunRequest, ClaudeRunResult, ClaudeStreamEvent } from './claude-runner';
import { CliBudgetReachedError, CliFailedError, sanitizeCliMessage, stderrForLog, stoppedChildError, UpstreamAuthError } from './cli-errors';
import { ClaudeWarmPool } from './claude-warm-pool';

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
  ) {
    super();
  }

  async run(request: ClaudeRunRequest): Promise<ClaudeRunResult> {
    const stdin = await buildUserMessage(request.prompt, request.attachments);
    const claude = await this.pool.acquire({
      model: request.model,
      system: request.system,
      jsonSchema: request.jsonSchema,
      maxBudgetUsd: request.maxBudgetUsd,
      streaming: request.onEvent !== undefined,
    });
    try {
      const result = await claude.process.feed({
        stdin,
        timeoutMs: request.timeoutSecs * 1000,
        signal: request.signal,
        onStdoutLine: request.onEvent && forwardStreamEvents(request.onEvent),
      });

      const stopped = stoppedChildError(result.outcome, { timeoutSecs: request.timeoutSecs, maxOutputBytes: this.config.runOutputMaxBytes });
      if (stopped) throw stopped;

      const line = findResultLine(result.stdout);
      if (!line) {
        this.logger.warn(`claude exited ${result.exitCode ?? result.signal} without a result; stderr: ${stderrForLog(result.stderr)}`);
        const detail = sanitizeCliMessage(result.stderr.split('\n').filter(Boolean).pop() ?? '');
        throw new CliFailedError(`the CLI exited (${result.exitCode ?? result.signal}) without a result${detail ? `: ${detail}` : ''}`);
      }
      if (line.subtype === 'error_max_budget_usd') throw new CliBudgetReachedError(costOf(line), usageOf(line));
      if (line.is_error || result.exitCode !== 0 || line.subtype !== 'success') {
        if (isLoginFailure(line)) throw new UpstreamAuthError();
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
      await claude.dispose().catch((error: Error) => this.logger.error(`run directory not removed: ${error.message}`));
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

/** The API refused the credentials (401), or the CLI says the login is missing or expired. */
function isLoginFailure(line: ClaudeResultLine): boolean {
  if (line.api_error_status === 401) return true;
  const said = typeof line.result === 'string' ? line.result : '';
  return /invalid api key|authentication_error|oauth token has expired|please run \/login|not logged in/i.test(said);
}
