import { RunCancelledError } from '../cli-errors';
import { ClaudeRunner, ClaudeRunRequest, ClaudeRunResult } from '../claude-runner';
import { HeldCalls } from './held-calls';

/** A result as the CLI reports one, with `fields` over plain defaults (the model's text 'ok', no cost). */
export function claudeResult(fields: Partial<ClaudeRunResult> = {}): ClaudeRunResult {
  return {
    text: 'ok',
    stopReason: 'end_turn',
    model: null,
    sessionId: 'cli-session',
    usage: { input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    costUsd: 0.01,
    toolsRefused: 0,
    durationMs: 1,
    ...fields,
  };
}

type Answer = (request: ClaudeRunRequest) => ClaudeRunResult | Promise<ClaudeRunResult>;

/**
 * Stands in for the claude CLI behind ClaudeRunner: records each request, answers as the spec says
 * (by default claudeResult()), fails as it says, or holds runs until it answers them. A run whose
 * signal aborts fails with RunCancelledError, as the CLI runner's does.
 */
export class FakeClaudeRunner extends ClaudeRunner {
  readonly requests: ClaudeRunRequest[] = [];
  readonly held = new HeldCalls<ClaudeRunRequest, ClaudeRunResult>();
  private answer: Answer = () => claudeResult();

  /** Every run from now on answers this (a result's fields, or a function of the request). */
  answerWith(answer: Partial<ClaudeRunResult> | Answer): this {
    this.answer = typeof answer === 'function' ? answer : () => claudeResult(answer);
    return this;
  }

  /** Every run from now on fails with this error. */
  failWith(error: Error | ((request: ClaudeRunRequest) => Error)): this {
    this.answer = (request) => {
      throw typeof error === 'function' ? error(request) : error;
    };
    return this;
  }

  /** Runs from now on wait for the spec: `held.next()` gives the oldest, to answer or fail. */
  hold(): this {
    this.held.hold();
    return this;
  }

  get lastRequest(): ClaudeRunRequest | undefined {
    return this.requests.at(-1);
  }

  async run(request: ClaudeRunRequest): Promise<ClaudeRunResult> {
    this.requests.push(request);
    const { signal } = request;
    if (signal?.aborted) throw new RunCancelledError();
    if (!this.held.on) return this.answer(request);
    const running = this.held.take(request);
    const cancel = () => void this.held.waiting.find((call) => call.request === request)?.fail(new RunCancelledError());
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      return await running;
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
  }
}
