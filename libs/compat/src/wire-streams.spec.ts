import { EventEmitter } from 'node:events';
import type { Response } from 'express';
import type { RunOutcome } from '@clawdforge/run';
import { MessagesStream } from './anthropic/messages-stream';
import { ChatCompletionStream } from './openai/chat-stream';

/** Just enough of an Express response to collect what a stream writes. */
function fakeResponse(): { res: Response; written: () => string; headers: Record<string, string> } {
  const emitter = new EventEmitter();
  const chunks: string[] = [];
  const headers: Record<string, string> = {};
  const res = Object.assign(emitter, {
    headersSent: false,
    writableEnded: false,
    status: () => res,
    setHeader: (name: string, value: string) => (headers[name.toLowerCase()] = value),
    flushHeaders: () => (res.headersSent = true),
    write: (chunk: string) => chunks.push(chunk),
    end: () => {
      res.writableEnded = true;
      emitter.emit('close');
    },
  });
  return { res: res as unknown as Response, written: () => chunks.join(''), headers };
}

const outcome: RunOutcome = {
  text: 'Hello there',
  stopReason: 'end_turn',
  model: 'claude-sonnet-4-5',
  sessionId: 's',
  usage: { input_tokens: 10, output_tokens: 3, cache_creation_input_tokens: 100, cache_read_input_tokens: 1000 },
  costUsd: 0.01,
  toolsRefused: 0,
  durationMs: 5,
  queueMs: 0,
};

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}

const dataFrames = (text: string) =>
  text
    .split('\n\n')
    .filter((frame) => frame.startsWith('data: '))
    .map((frame) => frame.slice(6));

describe('ChatCompletionStream', () => {
  it('writes the role, the deltas, the finish reason, the usage chunk and [DONE], naming the serving model throughout', () => {
    const { res, written } = fakeResponse();
    const stream = new ChatCompletionStream(res, 'chatcmpl-1', 1700000000, 'sonnet', { includeUsage: true, structured: false });
    stream.open();
    stream.event({ type: 'model', model: 'claude-sonnet-4-5' });
    stream.event({ type: 'delta', text: 'Hello ' });
    stream.event({ type: 'tool_use', id: 't', name: 'Read' });
    stream.event({ type: 'delta', text: 'there' });
    stream.finish({ ...outcome, stopReason: 'max_tokens' });
    stream.end();
    const frames = dataFrames(written());
    expect(frames.at(-1)).toBe('[DONE]');
    const chunks = frames.slice(0, -1).map((frame) => JSON.parse(frame) as { model: string; choices: { delta: object; finish_reason: string | null }[]; usage: unknown });
    expect(chunks.map((chunk) => chunk.choices[0]?.delta ?? null)).toEqual([{ role: 'assistant', content: '' }, { content: 'Hello ' }, { content: 'there' }, {}, null]);
    expect(chunks[3].choices[0].finish_reason).toBe('length');
    expect(chunks[4]).toMatchObject({ object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 1110, completion_tokens: 3, total_tokens: 1113, prompt_tokens_details: { cached_tokens: 1000 } } });
    expect(chunks.slice(0, 4).every((chunk) => chunk.usage === null)).toBe(true);
    expect(new Set(chunks.map((chunk) => chunk.model))).toEqual(new Set(['claude-sonnet-4-5']));
    expect(written()).not.toContain('event:');
  });

  it('sends structured output whole at the end, and an error as a data frame', () => {
    const { res, written } = fakeResponse();
    const stream = new ChatCompletionStream(res, 'chatcmpl-2', 1, 'sonnet', { includeUsage: false, structured: true });
    stream.open();
    stream.event({ type: 'delta', text: 'thinking aloud' });
    stream.finish({ ...outcome, structuredOutput: { qty: 2 } });
    const chunks = dataFrames(written()).slice(0, -1).map((frame) => JSON.parse(frame) as { choices: { delta: { content?: string } }[]; usage?: unknown });
    expect(chunks.map((chunk) => chunk.choices[0].delta.content).join('')).toBe('{"qty":2}');
    expect(chunks.every((chunk) => !('usage' in chunk))).toBe(true);
    stream.fail({ error: { message: 'boom', type: 'server_error', param: null, code: 'cli_failed' } });
    expect(written().endsWith('data: {"error":{"message":"boom","type":"server_error","param":null,"code":"cli_failed"}}\n\n')).toBe(true);
  });

  it('keeps a quiet stream alive with a comment', async () => {
    const { res, written, headers } = fakeResponse();
    const stream = new ChatCompletionStream(res, 'chatcmpl-3', 1, 'sonnet', { includeUsage: false, structured: false }, 20);
    stream.open();
    await until(() => written().length >= 2 * ': keepalive\n\n'.length);
    stream.end();
    expect(headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(written().startsWith(': keepalive\n\n: keepalive\n\n')).toBe(true);
  });
});

describe('MessagesStream', () => {
  it('writes Anthropic’s events in order with every usage counter at the end', () => {
    const { res, written } = fakeResponse();
    const stream = new MessagesStream(res, 'msg_1', 'sonnet', false);
    stream.open();
    stream.event({ type: 'model', model: 'claude-sonnet-4-5' });
    stream.event({ type: 'delta', text: 'Hello ' });
    stream.event({ type: 'delta', text: 'there' });
    stream.finish(outcome);
    const events = written()
      .split('\n\n')
      .filter(Boolean)
      .map((frame) => {
        const [, name, data] = /^event: (\S+)\ndata: (.*)$/s.exec(frame)!;
        return { name, data: JSON.parse(data) as Record<string, unknown> };
      });
    expect(events.map((event) => event.name)).toEqual(['message_start', 'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    expect(events.every((event) => event.data.type === event.name)).toBe(true);
    expect(events[0].data.message).toMatchObject({ id: 'msg_1', model: 'claude-sonnet-4-5', role: 'assistant', content: [] });
    expect(events[2].data.delta).toEqual({ type: 'text_delta', text: 'Hello ' });
    expect(events[5].data).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { input_tokens: 10, output_tokens: 3, cache_creation_input_tokens: 100, cache_read_input_tokens: 1000 },
    });
  });

  it('pings a quiet stream and reports a late failure as an error event', async () => {
    const { res, written } = fakeResponse();
    const stream = new MessagesStream(res, 'msg_2', 'sonnet', false, 20);
    stream.open();
    await until(() => written().length > 0);
    stream.fail({ type: 'error', error: { type: 'api_error', message: 'boom' } });
    stream.end();
    expect(written().startsWith('event: ping\ndata: {"type":"ping"}\n\n')).toBe(true);
    expect(written().endsWith('event: error\ndata: {"type":"error","error":{"type":"api_error","message":"boom"}}\n\n')).toBe(true);
  });
});
