import { parseTurnOutput } from './acpx-output';

const lines = (...messages: object[]) => messages.map((m) => JSON.stringify(m)).join('\n');
const update = (text: string) => ({ jsonrpc: '2.0', method: 'session/update', params: { sessionId: 's', update: { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text } } } });

describe('parseTurnOutput', () => {
  it('keeps what the agent sent and drops acpx’s own requests and their answers', () => {
    const stdout = lines(
      { jsonrpc: '2.0', id: 0, method: 'initialize', params: {} },
      { jsonrpc: '2.0', id: 0, result: { protocolVersion: 1 } },
      { jsonrpc: '2.0', id: 1, method: 'session/load', params: {} },
      { jsonrpc: '2.0', id: 1, result: {} },
      { jsonrpc: '2.0', id: 2, method: 'session/set_config_option', params: {} },
      { jsonrpc: '2.0', id: 2, result: { configOptions: [] } },
      { jsonrpc: '2.0', id: 3, method: 'session/prompt', params: { prompt: [] } },
      update('Hel'),
      { jsonrpc: '2.0', id: 0, method: 'session/request_permission', params: { options: [] } },
      { jsonrpc: '2.0', id: 0, result: { outcome: { outcome: 'selected', optionId: 'allow' } } },
      update('lo'),
      { jsonrpc: '2.0', id: 3, result: { stopReason: 'end_turn', usage: { inputTokens: 21, outputTokens: 9 } } },
      { jsonrpc: '2.0', method: 'session/update', params: { update: { sessionUpdate: 'session_info_update' } } },
    );
    const turn = parseTurnOutput(`[acpx] noise\n${stdout}\nnot json`);
    expect(turn.stopReason).toBe('end_turn');
    expect(turn.text).toBe('Hello');
    expect(turn.usage).toEqual({ inputTokens: 21, outputTokens: 9, cacheReadTokens: null, cacheCreationTokens: null });
    expect(turn.error).toBeNull();
    expect(turn.events.map((e) => e.method ?? Object.keys(e.result as object).join())).toEqual([
      'session/update',
      'session/request_permission',
      'outcome',
      'session/update',
      'stopReason,usage',
      'session/update',
    ]);
  });

  it('finds the prompt result by stopReason even when ids restart', () => {
    const stdout = lines({ jsonrpc: '2.0', id: 0, method: 'session/prompt', params: {} }, { jsonrpc: '2.0', id: 0, result: { stopReason: 'cancelled' } });
    expect(parseTurnOutput(stdout)).toMatchObject({ stopReason: 'cancelled', usage: { inputTokens: null, outputTokens: null } });
  });

  it('reports an error acpx printed', () => {
    const stdout = lines({ jsonrpc: '2.0', id: null, error: { code: -32002, message: 'No acpx session found', data: { acpxCode: 'NO_SESSION' } } });
    expect(parseTurnOutput(stdout)).toMatchObject({ stopReason: null, error: { code: -32002, message: 'No acpx session found', acpxCode: 'NO_SESSION' } });
  });
});

describe('TurnOutputReader on hostile agent output', () => {
  it.each([
    '{"id":7,"error":null}',
    '{"id":7,"error":"boom"}',
    '{"id":7,"error":{"code":"x","message":{},"data":null}}',
    '{"id":null,"result":null}',
    '{"id":{"a":[1,2]},"result":{"stopReason":5,"usage":null}}',
    '{"method":"session/update","params":null}',
    '{"method":"session/update","params":{"update":{"sessionUpdate":"agent_message_chunk","content":null}}}',
    '{"method":"session/update","params":{"update":{"sessionUpdate":"agent_message_chunk","content":{"type":"text","text":7}}}}',
    '{"method":12}',
    '[1,2,3]',
    'null',
    '{"__proto__":{"polluted":true},"id":1,"result":{}}',
  ])('reads %s without throwing', (line) => {
    const turn = parseTurnOutput(`${line}\n${JSON.stringify({ jsonrpc: '2.0', id: 9, result: { stopReason: 'end_turn' } })}`);
    expect(turn.stopReason).toBe('end_turn');
    expect(typeof turn.text).toBe('string');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reads an error of any shape as an error with only the fields that fit', () => {
    expect(parseTurnOutput('{"id":7,"error":null}').error).toEqual({ code: undefined, message: undefined, acpxCode: undefined });
    expect(parseTurnOutput('{"id":7,"error":{"code":-32000,"message":"no","data":{"acpxCode":"E"}}}').error).toEqual({ code: -32000, message: 'no', acpxCode: 'E' });
  });
});

describe('refused tool calls in a turn', () => {
  const failed = (toolCallId: string, extra: object) => ({ jsonrpc: '2.0', method: 'session/update', params: { update: { sessionUpdate: 'tool_call_update', toolCallId, status: 'failed', ...extra } } });
  const text = (t: string) => ({ content: [{ type: 'content', content: { type: 'text', text: t } }] });

  it('counts each refused call once: marked by Claude Code, said in the error, or a permission acpx answered with a rejection', () => {
    const stdout = lines(
      failed('a', text('Permission denied: --restricted: path outside the working directory')),
      failed('a', { _meta: { claudeCode: { nonExecutionKind: 'permission-rule' } } }),
      failed('b', text('<tool_use_error>Error: No such tool available: Bash.</tool_use_error>')),
      failed('c', text('ENOENT: no such file or directory')),
      { jsonrpc: '2.0', id: 0, method: 'session/request_permission', params: { toolCall: { toolCallId: 'd' }, options: [{ optionId: 'allow', kind: 'allow_once' }, { optionId: 'no', kind: 'reject_once' }] } },
      { jsonrpc: '2.0', id: 0, result: { outcome: { outcome: 'selected', optionId: 'no' } } },
      { jsonrpc: '2.0', id: 1, method: 'session/request_permission', params: { toolCall: { toolCallId: 'e' }, options: [{ optionId: 'allow', kind: 'allow_once' }] } },
      { jsonrpc: '2.0', id: 1, result: { outcome: { outcome: 'selected', optionId: 'allow' } } },
      { jsonrpc: '2.0', id: 2, method: 'session/request_permission', params: { toolCall: { toolCallId: 'f' }, options: [] } },
      { jsonrpc: '2.0', id: 2, result: { outcome: { outcome: 'cancelled' } } },
      { jsonrpc: '2.0', id: 9, result: { stopReason: 'end_turn' } },
    );
    expect(parseTurnOutput(stdout).toolsRefused).toBe(4);
  });
});
