import type { Response } from 'express';
import { SseStream } from '@clawdforge/core';
import type { RunOutcome } from '@clawdforge/run';
import type { ClaudeStreamEvent } from '@clawdforge/runners';
import { answerText } from '../answer-text';
import { messageUsage, stopReason } from './messages-response';

const PING = 'event: ping\ndata: {"type":"ping"}\n\n';

/**
 * A Messages stream with Anthropic's named events: message_start, one text block (start, deltas,
 * stop), message_delta with the stop reason and usage, message_stop; `ping` while the model is
 * quiet. message_start waits for the model's name, so it names the model that serves the run.
 */
export class MessagesStream {
  private readonly sse: SseStream;
  private model: string;
  private begun = false;

  constructor(
    res: Response,
    private readonly id: string,
    requestedModel: string,
    private readonly structured: boolean,
    heartbeatMs?: number,
  ) {
    this.sse = new SseStream(res, heartbeatMs, PING);
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
      this.delta(event.text);
    }
  }

  finish(outcome: RunOutcome): void {
    if (outcome.model && !this.begun) this.model = outcome.model;
    this.begin();
    if (this.structured) this.delta(answerText(outcome));
    this.send('content_block_stop', { type: 'content_block_stop', index: 0 });
    this.send('message_delta', { type: 'message_delta', delta: { stop_reason: stopReason(outcome), stop_sequence: null }, usage: messageUsage(outcome.usage) });
    this.send('message_stop', { type: 'message_stop' });
  }

  /** A failure after the headers went out, as Anthropic's `error` event. */
  fail(body: unknown): void {
    this.send('error', body);
  }

  end(): void {
    this.sse.end();
  }

  private begin(): void {
    if (this.begun) return;
    this.begun = true;
    this.send('message_start', {
      type: 'message_start',
      message: {
        id: this.id,
        type: 'message',
        role: 'assistant',
        model: this.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      },
    });
    this.send('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
  }

  private delta(text: string): void {
    this.send('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } });
  }

  private send(event: string, data: unknown): void {
    this.sse.send(event, data);
  }
}
