import { Injectable } from '@nestjs/common';
import type { TokenPrincipal } from '@clawdforge/auth';
import { ApiError, AppConfig, InvalidRequestError, jsonBytes, MAX_ARGV_TEXT_BYTES, RequestContext, resolveModel } from '@clawdforge/core';
import { FilesService, missingAttachmentError } from '@clawdforge/files';
import { CliBudgetReachedError, ClaudeRunner, ClaudeRunResult, ClaudeStreamEvent, ClaudeUsage, parseResultText, PromptBlock, spendOf } from '@clawdforge/runners';
import { BudgetHold, UsagePolicy } from '@clawdforge/usage';
import { RunRequestDto } from './dto/run-request.dto';
import { RunResponseDto } from './dto/run-response.dto';
import { GlobalRunSlot, GlobalRunSlots } from './global-run-slots';
import { RunQueue } from './run-queue';

export const DEFAULT_RUN_TIMEOUT_SECS = 120;

export interface RunProgress {
  started(): void;
  /** When given, the run streams: the model's text deltas and tool calls arrive here as it writes. */
  event?(event: ClaudeStreamEvent): void;
}

/**
 * What other wire formats hand to the run path: /run's body, plus the prompt as content blocks
 * (text and images) when it has more than text; `prompt` then is its text, for the audit.
 */
export type RunInput = RunRequestDto & { content?: PromptBlock[] };

/** A finished run as the CLI reported it, with the time it waited for its slot. */
export type RunOutcome = ClaudeRunResult & { queueMs: number };

@Injectable()
export class RunService {
  constructor(
    private readonly config: AppConfig,
    private readonly queue: RunQueue,
    private readonly globalSlots: GlobalRunSlots,
    private readonly claude: ClaudeRunner,
    private readonly files: FilesService,
    private readonly policy: UsagePolicy,
  ) {}

  /**
   * Validates what the DTO cannot (model, schema size, files), asks the token's policy (models,
   * rate, budget), waits for a fair slot within the token's share, runs with the budget left, and
   * settles what the run used in the ledger before answering. With `progress`, `started` is called
   * once the run has its slot (errors before that are plain answers) and text deltas and tool calls
   * arrive as the model writes.
   */
  async run(token: TokenPrincipal, body: RunRequestDto, request: RequestContext, signal: AbortSignal, progress?: RunProgress): Promise<RunResponseDto> {
    const outcome = await this.execute(token, body, request, signal, progress);
    return {
      ok: true,
      result: outcome.structuredOutput !== undefined ? outcome.structuredOutput : parseResultText(outcome.text),
      duration_ms: outcome.durationMs,
      stop_reason: outcome.stopReason,
      queue_ms: outcome.queueMs,
      model: outcome.model,
      usage: outcome.usage,
      cost_usd: outcome.costUsd,
      session_id: outcome.sessionId,
      tools_refused: outcome.toolsRefused,
    };
  }

  /** The run itself, as `run` describes it, answering with the CLI's own outcome (the model's text as written). */
  execute(token: TokenPrincipal, body: RunInput, request: RequestContext, signal: AbortSignal, progress?: RunProgress): Promise<RunOutcome> {
    // Its client gone, the run is stopped and settles what it spent; the request's audit row waits for that.
    return request.track(this.runOnce(token, body, request, signal, progress));
  }

  private async runOnce(token: TokenPrincipal, body: RunInput, request: RequestContext, signal: AbortSignal, progress?: RunProgress): Promise<RunOutcome> {
    const audit = request.audit;
    const model = resolveModel(body.model, this.config);
    audit.model = model;
    audit.promptChars = body.prompt.length;
    if (body.json_schema !== undefined && jsonBytes(body.json_schema) > MAX_ARGV_TEXT_BYTES) {
      throw new InvalidRequestError(`json_schema must be at most ${MAX_ARGV_TEXT_BYTES} bytes as JSON`, 'json_schema');
    }

    const fileTokens = body.files ?? [];
    // Once before queueing, so an unknown file fails fast instead of after a wait.
    await this.files.attachments(token.id, fileTokens);

    await this.policy.admit(token, { kind: 'run', model });
    const slot = await this.queue.acquire(token.name, signal, token.policy.maxConcurrentRuns);
    let globalSlot: GlobalRunSlot | undefined;
    let budget: BudgetHold | undefined;
    try {
      // Then one of MAX_CONCURRENT_RUNS_GLOBAL, when instances share a PostgreSQL database.
      globalSlot = await this.globalSlots.acquire(signal);
      // The budget again, now that the run starts: what the token's other runs and turns in flight may spend is not left for this one.
      budget = await this.policy.hold(token, signal);
    } catch (error) {
      globalSlot?.release();
      slot.release();
      throw error;
    }
    const queuedMs = slot.queuedMs + globalSlot.waitedMs;
    audit.queueMs = queuedMs;
    try {
      // Again now: a file may have been deleted or expired while the run waited for its slot.
      const attachments = await this.files.attachments(token.id, fileTokens);
      progress?.started();
      const outcome = await this.claude
        .run({
          prompt: body.prompt,
          content: body.content,
          attachments,
          model,
          system: body.system,
          jsonSchema: body.json_schema,
          timeoutSecs: body.timeout_secs ?? DEFAULT_RUN_TIMEOUT_SECS,
          maxBudgetUsd: budget.capUsd ?? undefined,
          signal,
          onEvent: progress?.event?.bind(progress),
          origin: request,
        })
        .catch((error: unknown) => {
          throw missingAttachmentError(error, attachments) ?? error;
        });
      audit.model = outcome.model ?? model;
      audit.responseChars = outcome.text.length;
      audit.inputTokens = outcome.usage.input_tokens;
      audit.outputTokens = outcome.usage.output_tokens;
      audit.costUsd = outcome.costUsd;
      audit.toolsRefused = outcome.toolsRefused;
      await this.settle(request, token, model, 'ok', outcome.usage, outcome.costUsd, outcome.toolsRefused);
      return { ...outcome, queueMs: queuedMs };
    } catch (error) {
      // Stopped at its budget, or by us (client gone, time limit): what the CLI said it spent still counts.
      const spent = spendOf(error);
      audit.costUsd = spent?.costUsd ?? null;
      audit.inputTokens = spent?.usage.input_tokens ?? null;
      audit.outputTokens = spent?.usage.output_tokens ?? null;
      await this.settle(request, token, model, error instanceof ApiError ? error.code : 'internal_error', spent?.usage ?? null, spent?.costUsd ?? null);
      if (error instanceof CliBudgetReachedError) throw await this.policy.budgetStop(token);
      throw error;
    } finally {
      budget.release();
      globalSlot.release();
      slot.release();
    }
  }

  private settle(
    request: RequestContext,
    token: TokenPrincipal,
    model: string,
    outcome: string,
    usage: ClaudeUsage | null,
    costUsd: number | null,
    toolsRefused?: number,
  ): Promise<void> {
    return this.policy.settle(token, {
      toolsRefused,
      durationMs: performance.now() - request.startedAt,
      kind: 'run',
      model,
      outcome,
      inputTokens: usage?.input_tokens ?? null,
      outputTokens: usage?.output_tokens ?? null,
      cacheReadTokens: usage?.cache_read_input_tokens ?? null,
      cacheCreationTokens: usage?.cache_creation_input_tokens ?? null,
      costUsd,
    });
  }
}
