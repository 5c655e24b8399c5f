import { buildClaudeArgs, clientToolsEnv, TOOL_BRIDGE_SECRET_ENV } from './claude-args';
import type { ClaudeStreamEvent } from './claude-runner';
import { toolRunLineReader } from './claude-tool-events';

const launch = { server: 'fn', url: 'http://127.0.0.1:4000/mcp/r1', secret: 's3cret', callTimeoutMs: 660_000 };
const event = (inner: object) => JSON.stringify({ type: 'stream_event', event: inner });
const assistant = (id: string, block: object) => JSON.stringify({ type: 'assistant', message: { id, content: [block] } });

describe('a run with client tools', () => {
  it('has the bridge as its one MCP server and no built-in tool, whatever RUN_TOOLS says, its bearer only in the environment', () => {
    const args = buildClaudeArgs({ model: 'sonnet', clientTools: launch }, 'read-only');
    expect(args).toContain('--tools=');
    expect(args).toContain('--strict-mcp-config');
    expect(args).toContain('--allowedTools=mcp__fn__*');
    expect(args).toContain('--include-partial-messages');
    const config = JSON.parse(args.find((arg) => arg.startsWith('--mcp-config='))!.slice('--mcp-config='.length));
    expect(config).toEqual({ mcpServers: { fn: { type: 'http', url: launch.url, headers: { Authorization: `Bearer \${${TOOL_BRIDGE_SECRET_ENV}}` }, timeout: 660_000 } } });
    expect(args.join(' ')).not.toContain('s3cret');
    expect(clientToolsEnv({ clientTools: launch })).toEqual({ [TOOL_BRIDGE_SECRET_ENV]: 's3cret', ENABLE_TOOL_SEARCH: 'false' });
    expect(clientToolsEnv({})).toEqual({});
  });
});

describe('toolRunLineReader', () => {
  const read = (lines: string[]) => {
    const events: ClaudeStreamEvent[] = [];
    const reader = toolRunLineReader((e) => events.push(e));
    for (const line of lines) reader(line);
    return events;
  };

  it('reports the servers of the init line, and the calls of a message only once it has ended with tool_use, all together', () => {
    const events = read([
      JSON.stringify({ type: 'system', subtype: 'init', mcp_servers: [{ name: 'fn', status: 'failed' }] }),
      event({ type: 'message_start', message: { model: 'claude-x', usage: { input_tokens: 21, output_tokens: 1, cache_read_input_tokens: 5 } } }),
      event({ type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_1', name: 'mcp__fn__a' } }),
      assistant('m1', { type: 'tool_use', id: 'toolu_1', name: 'mcp__fn__a', input: { x: 1 } }),
      assistant('m1', { type: 'tool_use', id: 'toolu_2', name: 'mcp__fn__b', input: {} }),
      event({ type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 9 } }),
      JSON.stringify({ type: 'user', message: { content: [{ type: 'tool_result', tool_use_id: 'toolu_1', is_error: true, content: 'x' }] } }),
    ]);
    expect(events).toEqual([
      { type: 'tool_servers', servers: [{ name: 'fn', status: 'failed' }] },
      { type: 'model', model: 'claude-x' },
      { type: 'tool_use', id: 'toolu_1', name: 'mcp__fn__a' },
      { type: 'usage', usage: { input_tokens: 21, output_tokens: 9, cache_creation_input_tokens: null, cache_read_input_tokens: 5 } },
      {
        type: 'tool_calls',
        calls: [
          { id: 'toolu_1', name: 'mcp__fn__a', input: { x: 1 } },
          { id: 'toolu_2', name: 'mcp__fn__b', input: {} },
        ],
      },
      { type: 'tool_result', id: 'toolu_1', isError: true },
    ]);
  });

  it('reports no calls for a message that ends its turn, and passes text on', () => {
    const events = read([
      event({ type: 'message_start', message: { model: 'claude-x', usage: { input_tokens: 3 } } }),
      event({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'hi' } }),
      event({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 2 } }),
      'not json',
    ]);
    expect(events.map((e) => e.type)).toEqual(['model', 'delta', 'usage']);
  });
});
