import type { Response } from 'express';
import { SseStream } from '@clawdforge/core';
import type { RunOutcome } from '@clawdforge/run';
import type { ClaudeStreamEvent, ClaudeUsage } from '@clawdforge/runners';
import type { ClientToolCall } from '@clawdforge/tools';
import { answerText } from './answer-text';

/**
 * What both wire formats' streams do alike: open at once, wait for the serving model's name before
 * the first frame (so every frame names the model that serves the run), pass the model's text on as
 * it is written, or whole at the end for structured output (it arrives whole), and keep the
 * connection alive with the format's own keep-alive. Each format writes its own frames.
 */
export abstract class WireStream {
  protected readonly sse: SseStream;
  protected model: string;
  private begun = false;

  protected constructor(res: Response, requestedModel: string, private readonly structured: boolean, keepAlive: string, heartbeatMs?: number) {
    this.sse = new SseStream(res, heartbeatMs, keepAlive);
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
    } else if (event.type === 'delta' && !this.structured) {
      this.begin();
      this.text(event.text);
    }
  }

  finish(outcome: RunOutcome): void {
    if (outcome.model && !this.begun) this.model = outcome.model;
    this.begin();
    if (this.structured) this.text(answerText(outcome));
    this.close(outcome);
  }

  /** The end of an answer that calls the client's tools: the calls after the text, then the stop reason and usage. */
  finishCalls(answer: { calls: ClientToolCall[]; usage: ClaudeUsage; model: string | null }): void {
    if (answer.model && !this.begun) this.model = answer.model;
    this.begin();
    this.toolCalls(answer.calls, answer.usage);
  }

  end(): void {
    this.sse.end();
  }

  /** A failure after the headers went out, in the format's own error frame. */
  abstract fail(body: unknown): void;

  /** The frames before the first text, once the model is known. */
  protected abstract start(): void;

  protected abstract text(text: string): void;

  /** The frames after the last text: the stop reason, usage, the end marker. */
  protected abstract close(outcome: RunOutcome): void;

  /** The frames after the last text of an answer that calls tools: each call, then the format's close. */
  protected abstract toolCalls(calls: ClientToolCall[], usage: ClaudeUsage): void;

  private begin(): void {
    if (this.begun) return;
    this.begun = true;
    this.start();
  }
}
