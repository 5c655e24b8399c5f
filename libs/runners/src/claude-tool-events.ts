import type { ClaudeStreamEvent, ClaudeUsage, ModelToolCall } from './claude-runner';
import { streamEventOf } from './claude-output';

interface Line {
  type?: unknown;
  subtype?: unknown;
  mcp_servers?: unknown;
  event?: { type?: unknown; message?: { usage?: Record<string, unknown> }; delta?: { stop_reason?: unknown }; usage?: Record<string, unknown> };
  message?: { id?: unknown; content?: unknown };
}

const count = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/**
 * Reads the stdout lines of a run with client tools (stream-json with partial messages) into the
 * events the tool bridge needs, besides the text deltas and the model every stream gets:
 *
 * - the init line's `mcp_servers`, so a bridge that did not connect is an error, not a run without tools;
 * - each model call's usage when its message ends (message_start's input counts, message_delta's output);
 * - the tool calls of a message that ends with stop_reason `tool_use`, all of them at once: the CLI
 *   prints each tool_use block as an `assistant` line when the block is complete, before the
 *   message's end, and may start calling a tool before the message has ended, so the end of the
 *   message is what says the set is whole;
 * - each tool result it hands back to the model, and whether it is an error.
 */
export function toolRunLineReader(onEvent: (event: ClaudeStreamEvent) => void): (line: string) => void {
  let usage: ClaudeUsage = emptyUsage();
  let calls: ModelToolCall[] = [];
  return (line) => {
    const common = streamEventOf(line);
    if (common) onEvent(common);
    if (!line.startsWith('{')) return;
    let parsed: Line;
    try {
      parsed = JSON.parse(line) as Line;
    } catch {
      return;
    }
    if (parsed.type === 'system' && parsed.subtype === 'init' && Array.isArray(parsed.mcp_servers)) {
      onEvent({ type: 'tool_servers', servers: parsed.mcp_servers.map(serverStatus) });
    } else if (parsed.type === 'stream_event' && parsed.event?.type === 'message_start') {
      const started = parsed.event.message?.usage ?? {};
      usage = {
        input_tokens: count(started.input_tokens),
        output_tokens: count(started.output_tokens),
        cache_creation_input_tokens: count(started.cache_creation_input_tokens),
        cache_read_input_tokens: count(started.cache_read_input_tokens),
      };
      calls = [];
    } else if (parsed.type === 'stream_event' && parsed.event?.type === 'message_delta') {
      const ended = parsed.event.usage ?? {};
      // message_delta's counts are the message's totals so far; a count it leaves out keeps message_start's.
      for (const key of Object.keys(usage) as (keyof ClaudeUsage)[]) usage[key] = count(ended[key]) ?? usage[key];
      onEvent({ type: 'usage', usage: { ...usage } });
      if (parsed.event.delta?.stop_reason === 'tool_use' && calls.length > 0) onEvent({ type: 'tool_calls', calls });
      calls = [];
    } else if (parsed.type === 'assistant') {
      for (const block of blocksOf(parsed)) {
        if (block.type === 'tool_use' && typeof block.id === 'string' && typeof block.name === 'string') calls.push({ id: block.id, name: block.name, input: block.input ?? {} });
      }
    } else if (parsed.type === 'user') {
      for (const block of blocksOf(parsed)) {
        if (block.type === 'tool_result' && typeof block.tool_use_id === 'string') onEvent({ type: 'tool_result', id: block.tool_use_id, isError: block.is_error === true });
      }
    }
  };
}

function serverStatus(server: unknown): { name: string; status: string } {
  const { name, status } = (server ?? {}) as { name?: unknown; status?: unknown };
  return { name: String(name), status: String(status) };
}

function blocksOf(line: Line): Record<string, unknown>[] {
  const content = line.message?.content;
  return Array.isArray(content) ? content.filter((block): block is Record<string, unknown> => typeof block === 'object' && block !== null) : [];
}

function emptyUsage(): ClaudeUsage {
  return { input_tokens: null, output_tokens: null, cache_creation_input_tokens: null, cache_read_input_tokens: null };
}
