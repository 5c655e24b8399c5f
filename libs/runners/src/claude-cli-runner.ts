import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@clawdforge/core';
import { AgentConfinement } from './agent-confinement';
import { buildClaudeArgs } from './claude-args';
import { buildUserMessage } from './claude-input';
import { ClaudeResultLine, findResultLine, modelOf, refusedToolCalls, streamEventOf, usageOf } from './claude-output';
import { ClaudeRunner, ClaudeRunRequest, ClaudeRunResult, ClaudeStreamEvent } from './claude-runner';
import { buildChildEnv } from './child-env';
import { CliBudgetReachedError, CliFailedError, sanitizeCliMessage, stderrForLog, stoppedChildError, UpstreamAuthError } from './cli-errors';
import { ProcessRunner } from './process-runner';

/** `claude -p` in a fresh directory under RUNS_DIR, removed afterwards whatever happened. */
@Injectable()
export class ClaudeCliRunner extends ClaudeRunner {
  private readonly logger = new Logger(ClaudeCliRunner.name);

  constructor(
    private readonly config: AppConfig,
    private readonly processes: ProcessRunner,
    private readonly confinement: AgentConfinement,
  ) {
    super();
  }

  async run(request: ClaudeRunRequest): Promise<ClaudeRunResult> {
    const runDir = path.join(this.config.runsDir, randomUUID());
    const tmpDir = path.join(runDir, '.tmp');
    await fs.mkdir(tmpDir, { recursive: true, mode: 0o700 });
    try {
      const result = await this.processes.run(this.config.claudeBin, {
        args: [...buildClaudeArgs(request, this.config.runTools, request.onEvent !== undefined), ...this.confinement.runArgs(runDir)],
        cwd: runDir,
        env: buildChildEnv(process.env, {
          CLAUDE_CODE_MAX_RETRIES: String(this.config.claudeMaxRetries),
          CLAUDE_CODE_TMPDIR: tmpDir,
          TMPDIR: tmpDir,
          DISABLE_AUTOUPDATER: '1',
        }),
        stdin: await buildUserMessage(request.prompt, request.attachments),
        timeoutMs: request.timeoutSecs * 1000,
        maxOutputBytes: this.config.runOutputMaxBytes,
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
      await fs.rm(runDir, { recursive: true, force: true }).catch((error: Error) => this.logger.error(`run directory not removed: ${error.message}`));
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
