import type { Response } from 'express';
import type { RunOutcome } from '@clawdforge/run';
import type { ClaudeUsage } from '@clawdforge/runners';
import type { ClientToolCall } from '@clawdforge/tools';
import { WireStream } from '../wire-stream';
import { messageUsage, stopReason } from './messages-response';

const PING = 'event: ping\ndata: {"type":"ping"}\n\n';

/**
 * A Messages stream with Anthropic's named events: message_start, one text block (start, deltas,
 * stop), message_delta with the stop reason and usage, message_stop; `ping` while the model is
 * quiet. message_start waits for the model's name, so it names the model that serves the run.
 */
export class MessagesStream extends WireStream {
  constructor(
    res: Response,
    private readonly id: string,
    requestedModel: string,
    structured: boolean,
    heartbeatMs?: number,
  ) {
    super(res, requestedModel, structured, PING, heartbeatMs);
  }

  fail(body: unknown): void {
    this.send('error', body);
  }

  protected start(): void {
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

  protected text(text: string): void {
    this.send('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } });
  }

  protected close(outcome: RunOutcome): void {
    this.send('content_block_stop', { type: 'content_block_stop', index: 0 });
    this.send('message_delta', { type: 'message_delta', delta: { stop_reason: stopReason(outcome), stop_sequence: null }, usage: messageUsage(outcome.usage) });
    this.send('message_stop', { type: 'message_stop' });
  }

  /** The text block closed, then each call as a tool_use block whose input arrives as one input_json_delta, stop_reason tool_use. */
  protected toolCalls(calls: ClientToolCall[], usage: ClaudeUsage): void {
    this.send('content_block_stop', { type: 'content_block_stop', index: 0 });
    calls.forEach((call, i) => {
      const index = i + 1;
      this.send('content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} } });
      this.send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(call.arguments) } });
      this.send('content_block_stop', { type: 'content_block_stop', index });
    });
    this.send('message_delta', { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: messageUsage(usage) });
    this.send('message_stop', { type: 'message_stop' });
  }

  private send(event: string, data: unknown): void {
    this.sse.send(event, data);
  }
}
