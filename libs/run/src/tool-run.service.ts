import { Injectable } from '@nestjs/common';
import type { TokenPrincipal } from '@clawdforge/auth';
import { ApiError, AppConfig, RequestContext, resolveModel } from '@clawdforge/core';
import { CliBudgetReachedError, CliTimeoutError, ClaudeRunner, ClaudeRunResult, ClaudeUsage, RunCancelledError, RunSpend, spendOf } from '@clawdforge/runners';
import { ClientToolCall, ClientToolResult, ToolBridge, ToolCatalog, ToolRun } from '@clawdforge/tools';
import { BudgetHold, UsagePolicy } from '@clawdforge/usage';
import { GlobalRunSlots } from './global-run-slots';
import { RunQueue } from './run-queue';
import type { RunInput, RunProgress } from './run.service';

/** How long the model may work between two answers of a tool run (as long as a /v1 run without tools). */
export const TOOL_SEGMENT_TIMEOUT_SECS = 600;
/** The CLI's own limit on a tool run's process: never reached first (segments and parks are bounded above). */
const PROCESS_LIMIT_SECS = 7 * 86400;

/** A run with client tools as /v1 starts it: the run's input, and its tools. */
export type ToolRunInput = Omit<RunInput, 'json_schema' | 'files'> & { catalog: ToolCatalog };

/**
 * One answer of a tool run: the calls of the message that ended it (the run then waits for their
 * results), or the run's end. Either way with the usage of the model calls since the previous
 * answer; the end also with the whole run's outcome (its cost is the whole run's).
 */
export type ToolAnswer =
  | { kind: 'tool_calls'; calls: ClientToolCall[]; text: string; usage: ClaudeUsage; model: string | null; queueMs: number }
  | { kind: 'final'; outcome: ClaudeRunResult; usage: ClaudeUsage; queueMs: number };

interface Book {
  model: string;
  token: TokenPrincipal;
  /** The model that serves it, once it said. */
  served: string | null;
  /** Settles when the CLI has ended and the run is billed: its outcome, or the error that ended it. */
  concluded: Promise<{ outcome: ClaudeRunResult } | { error: unknown; spent: RunSpend | null }>;
}

/**
 * Runs with the client's tools, on the run path's own rules: admitted by the token's policy for
 * each request, a fair slot of the run queue while the model works (none while the run is parked),
 * a budget hold for the run's life, and one ledger row for the whole run when it ends, however it
 * ends (finished, failed, stopped with its client, or expired while parked).
 */
@Injectable()
export class ToolRunService {
  private readonly books = new Map<ToolRun, Book>();

  constructor(
    private readonly config: AppConfig,
    private readonly queue: RunQueue,
    private readonly globalSlots: GlobalRunSlots,
    private readonly claude: ClaudeRunner,
    private readonly policy: UsagePolicy,
    private readonly bridge: ToolBridge,
  ) {}

  /** The parked run of this token waiting on exactly the calls `ids`, when its history is `digest`. */
  claim(token: TokenPrincipal, ids: string[], digest: string): ToolRun | undefined {
    return this.bridge.claim(String(token.id), ids, digest);
  }

  /** The other instance that holds the parked run of this token waiting on exactly the calls `ids`; null when none does. */
  holder(token: TokenPrincipal, ids: string[]): Promise<string | null> {
    return this.bridge.holder(String(token.id), ids);
  }

  /** Starts a run with tools and answers with its first step. `nextDigest`: the history a continuation of it must carry. */
  async start(token: TokenPrincipal, input: ToolRunInput, request: RequestContext, signal: AbortSignal, nextDigest: string, progress?: RunProgress): Promise<ToolAnswer> {
    const model = resolveModel(input.model, this.config);
    request.audit.model = model;
    request.audit.promptChars = input.prompt.length;
    await this.policy.admit(token, { kind: 'run', model });
    const run = await this.bridge.open(String(token.id), input.catalog);
    let slots: Slots | undefined;
    let budget: BudgetHold;
    try {
      slots = await this.slots(token, signal);
      budget = await this.policy.hold(token, signal);
    } catch (error) {
      slots?.release();
      this.bridge.close(run);
      throw error;
    }
    progress?.started();
    run.listen(progress?.event?.bind(progress));
    const book: Book = { model, token, served: null, concluded: Promise.resolve({ error: null, spent: null }) };
    this.books.set(run, book);
    const finished = this.claude.run({
      prompt: input.prompt,
      content: input.content,
      model,
      system: input.system,
      timeoutSecs: PROCESS_LIMIT_SECS,
      maxBudgetUsd: budget.capUsd ?? undefined,
      signal: run.signal,
      onEvent: (event) => {
        if (event.type === 'model') book.served ??= event.model;
        run.onEvent(event);
      },
      origin: request,
      clientTools: run.launch,
    });
    book.concluded = this.conclude(run, book, finished, budget, request);
    // Its client gone, the run is stopped and settles what it spent; the request's audit row waits for that.
    return request.track(this.segment(run, slots, request, signal, nextDigest, true));
  }

  /** Hands the client's results to a claimed run and answers with its next step; a run that cannot go on now is parked again. */
  async resume(token: TokenPrincipal, run: ToolRun, results: ClientToolResult[], request: RequestContext, signal: AbortSignal, nextDigest: string, progress?: RunProgress): Promise<ToolAnswer> {
    const book = this.books.get(run);
    if (!book) throw new Error('a claimed run has its book');
    request.audit.model = book.served ?? book.model;
    request.audit.promptChars = results.reduce((sum, result) => sum + result.text.length, 0);
    let slots: Slots;
    try {
      await this.policy.admit(token, { kind: 'run', model: book.model });
      slots = await this.slots(token, signal);
    } catch (error) {
      await this.bridge.park(run, run.expected ?? '', true);
      throw error;
    }
    progress?.started();
    run.listen(progress?.event?.bind(progress));
    run.resume(results);
    return request.track(this.segment(run, slots, request, signal, nextDigest, false));
  }

  /** The model's work up to its next answer: stopped with its client or past TOOL_SEGMENT_TIMEOUT_SECS; the slots go back either way. */
  private async segment(run: ToolRun, slots: Slots, request: RequestContext, signal: AbortSignal, nextDigest: string, first: boolean): Promise<ToolAnswer> {
    const audit = request.audit;
    audit.queueMs = slots.queuedMs;
    const gone = () => run.stop('cancelled');
    signal.addEventListener('abort', gone, { once: true });
    if (signal.aborted) gone();
    const timer = setTimeout(() => run.stop('timeout'), TOOL_SEGMENT_TIMEOUT_SECS * 1000);
    let step;
    try {
      step = await run.nextStep();
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', gone);
      run.listen(undefined);
      slots.release();
    }
    const book = this.books.get(run)!;
    audit.model = book.served ?? book.model;
    audit.responseChars = step.text.length;
    if (step.kind === 'tool_calls') {
      await this.bridge.park(run, nextDigest);
      this.countTokens(request, step.usage);
      return { kind: 'tool_calls', calls: step.calls, text: step.text, usage: step.usage, model: book.served, queueMs: slots.queuedMs };
    }
    const concluded = await book.concluded;
    if ('error' in concluded) {
      // The whole run's cost, as a final answer would report it, and its tokens.
      audit.costUsd = concluded.spent?.costUsd ?? null;
      if (concluded.spent) this.countTokens(request, concluded.spent.usage);
      throw concluded.error;
    }
    // A run that never parked reports the CLI's own totals; after a park, what the model did since.
    const usage = first ? concluded.outcome.usage : step.usage;
    this.countTokens(request, usage);
    audit.responseChars = concluded.outcome.text.length;
    audit.costUsd = concluded.outcome.costUsd;
    return { kind: 'final', outcome: concluded.outcome, usage, queueMs: slots.queuedMs };
  }

  /** When the CLI ends: the run leaves the bridge, the whole run goes in the ledger once, the budget hold is given back. */
  private async conclude(run: ToolRun, book: Book, finished: Promise<ClaudeRunResult>, budget: BudgetHold, request: RequestContext) {
    let result: { outcome: ClaudeRunResult } | { error: unknown; spent: RunSpend | null };
    try {
      const outcome = await finished;
      // A failure seen in the output, though the CLI ended on its own: what it reported spending still counts.
      result = run.failure ? { error: run.failure, spent: { costUsd: outcome.costUsd, usage: outcome.usage } } : { outcome };
    } catch (error) {
      result = { error: this.errorOf(run, error), spent: spendOf(error) };
    }
    this.bridge.close(run);
    run.ended();
    try {
      const fact = { kind: 'run' as const, model: book.model, durationMs: performance.now() - request.startedAt };
      if ('outcome' in result) {
        const { usage, costUsd, toolsRefused } = result.outcome;
        await this.policy.settle(book.token, { ...fact, outcome: 'ok', ...counts(usage), costUsd, toolsRefused });
      } else if (result.error instanceof CliBudgetReachedError) {
        await this.policy.settle(book.token, { ...fact, outcome: result.error.code, ...counts(result.error.usage), costUsd: result.error.costUsd });
        result = { error: await this.policy.budgetStop(book.token), spent: result.spent };
      } else {
        // Stopped (expired while parked, its client gone, failed): what the CLI said it had spent on its
        // way out; failing that, the tokens of every model call it made still count.
        const code = run.stopped === 'expired' ? 'timeout' : result.error instanceof ApiError ? result.error.code : 'internal_error';
        await this.policy.settle(book.token, { ...fact, outcome: code, ...counts(result.spent?.usage ?? run.totalUsage), costUsd: result.spent?.costUsd ?? null });
      }
    } finally {
      budget.release();
      this.books.delete(run);
    }
    return result;
  }

  private errorOf(run: ToolRun, error: unknown): unknown {
    if (run.failure) return run.failure;
    if (run.stopped === 'timeout') return new CliTimeoutError(TOOL_SEGMENT_TIMEOUT_SECS);
    if (run.stopped === 'cancelled') return new RunCancelledError();
    return error;
  }

  private countTokens(request: RequestContext, usage: ClaudeUsage): void {
    request.audit.inputTokens = usage.input_tokens;
    request.audit.outputTokens = usage.output_tokens;
  }

  /** A fair slot of this instance's queue, then one of MAX_CONCURRENT_RUNS_GLOBAL. */
  private async slots(token: TokenPrincipal, signal: AbortSignal): Promise<Slots> {
    const slot = await this.queue.acquire(token.name, signal, token.policy.maxConcurrentRuns);
    try {
      const global = await this.globalSlots.acquire(signal);
      return {
        queuedMs: slot.queuedMs + global.waitedMs,
        release: () => {
          global.release();
          slot.release();
        },
      };
    } catch (error) {
      slot.release();
      throw error;
    }
  }
}

interface Slots {
  queuedMs: number;
  release: () => void;
}

function counts(usage: ClaudeUsage) {
  return {
    inputTokens: usage.input_tokens,
    outputTokens: usage.output_tokens,
    cacheReadTokens: usage.cache_read_input_tokens,
    cacheCreationTokens: usage.cache_creation_input_tokens,
  };
}
