import type { Response } from 'express';
import { SseStream } from '@clawdforge/core';
import type { RunOutcome } from '@clawdforge/run';
import type { ClaudeStreamEvent } from '@clawdforge/runners';
import { answerText } from '../answer-text';
import { chatUsage, finishReason } from './chat-response';

const KEEPALIVE = ': keepalive\n\n';

/**
 * A Chat Completions stream: data-only `chat.completion.chunk` frames (the role first, then content
 * deltas, then the finish reason, then usage when asked), `data: [DONE]`, and a keep-alive comment
 * while the model is quiet. The first chunk waits for the model's name, so every chunk names the
 * model that serves the run.
 */
export class ChatCompletionStream {
  private readonly sse: SseStream;
  private model: string;
  private begun = false;

  constructor(
    res: Response,
    private readonly id: string,
    private readonly created: number,
    requestedModel: string,
    private readonly options: { includeUsage: boolean; structured: boolean },
    heartbeatMs?: number,
  ) {
    this.sse = new SseStream(res, heartbeatMs, KEEPALIVE);
    this.model = requestedModel;
  }

  get opened(): boolean {
    return this.sse.opened;
  }

  open(): void {
    this.sse.open();
  }

  event(event: ClaudeStreamEvent): void {
    if (event.type === 'model') {
      if (!this.begun) this.model = event.model;
    } else if (event.type === 'delta' && !this.options.structured) {
      this.begin();
      this.chunk([{ index: 0, delta: { content: event.text }, logprobs: null, finish_reason: null }]);
    }
  }

  /** The end of a run: structured output as one delta (it arrives whole), the finish reason, usage when asked, [DONE]. */
  finish(outcome: RunOutcome): void {
    if (outcome.model && !this.begun) this.model = outcome.model;
    this.begin();
    if (this.options.structured) this.chunk([{ index: 0, delta: { content: answerText(outcome) }, logprobs: null, finish_reason: null }]);
    this.chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: finishReason(outcome.stopReason) }]);
    if (this.options.includeUsage) this.chunk([], chatUsage(outcome.usage));
    this.sse.write('data: [DONE]\n\n');
  }

  /** A failure after the headers went out: OpenAI's error object as a data frame. */
  fail(body: unknown): void {
    this.sse.write(`data: ${JSON.stringify(body)}\n\n`);
  }

  end(): void {
    this.sse.end();
  }

  private begin(): void {
    if (this.begun) return;
    this.begun = true;
    this.chunk([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]);
  }

  private chunk(choices: unknown[], usage?: unknown): void {
    const frame: Record<string, unknown> = { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, system_fingerprint: null, choices };
    if (this.options.includeUsage) frame.usage = usage ?? null;
    this.sse.write(`data: ${JSON.stringify(frame)}\n\n`);
  }
}
