import type { Response } from 'express';
import type { RunOutcome } from '@clawdforge/run';
import type { ClaudeUsage } from '@clawdforge/runners';
import type { ClientToolCall } from '@clawdforge/tools';
import { WireStream } from '../wire-stream';
import { chatUsage, finishReason } from './chat-response';

const KEEPALIVE = ': keepalive\n\n';

/**
 * A Chat Completions stream: data-only `chat.completion.chunk` frames (the role first, then content
 * deltas, then the finish reason, then usage when asked), `data: [DONE]`, and a keep-alive comment
 * while the model is quiet. The first chunk waits for the model's name, so every chunk names the
 * model that serves the run.
 */
export class ChatCompletionStream extends WireStream {
  constructor(
    res: Response,
    private readonly id: string,
    private readonly created: number,
    requestedModel: string,
    private readonly options: { includeUsage: boolean; structured: boolean },
    heartbeatMs?: number,
  ) {
    super(res, requestedModel, options.structured, KEEPALIVE, heartbeatMs);
  }

  fail(body: unknown): void {
    this.sse.write(`data: ${JSON.stringify(body)}\n\n`);
  }

  protected start(): void {
    this.chunk([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]);
  }

  protected text(text: string): void {
    this.chunk([{ index: 0, delta: { content: text }, logprobs: null, finish_reason: null }]);
  }

  /** The finish reason, usage when asked, [DONE]. */
  protected close(outcome: RunOutcome): void {
    this.chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: finishReason(outcome.stopReason) }]);
    if (this.options.includeUsage) this.chunk([], chatUsage(outcome.usage));
    this.sse.write('data: [DONE]\n\n');
  }

  /** Each call as OpenAI streams one (its id and name, then its arguments), finish_reason tool_calls, usage when asked, [DONE]. */
  protected toolCalls(calls: ClientToolCall[], usage: ClaudeUsage): void {
    calls.forEach((call, index) => {
      this.chunk([{ index: 0, delta: { tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }, logprobs: null, finish_reason: null }]);
      this.chunk([{ index: 0, delta: { tool_calls: [{ index, function: { arguments: JSON.stringify(call.arguments) } }] }, logprobs: null, finish_reason: null }]);
    });
    this.chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: 'tool_calls' }]);
    if (this.options.includeUsage) this.chunk([], chatUsage(usage));
    this.sse.write('data: [DONE]\n\n');
  }

  private chunk(choices: unknown[], usage?: unknown): void {
    const frame: Record<string, unknown> = { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, system_fingerprint: null, choices };
    if (this.options.includeUsage) frame.usage = usage ?? null;
    this.sse.write(`data: ${JSON.stringify(frame)}\n\n`);
  }
}
