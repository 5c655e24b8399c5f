import { findResultLine, modelOf, parseResultText, refusedToolCalls, streamEventOf, usageOf } from './claude-output';

describe('parseResultText', () => {
  it.each([
    ['{"hello":"world"}', { hello: 'world' }],
    ['```json\n{"hello": "world"}\n```', { hello: 'world' }],
    ['```\n[1, 2]\n```', [1, 2]],
    ['  ```JSON\r\n{"a":1}\r\n```  ', { a: 1 }],
    ['42', 42],
    ['plain words', 'plain words'],
    ['```\nnot json\n```', 'not json'],
    ['```json\n{"broken": \n```', '{"broken":'],
    ['Here it is: ```json\n{"a":1}\n```', 'Here it is: ```json\n{"a":1}\n```'],
    ['', ''],
  ])('%p → %p', (text, expected) => {
    expect(parseResultText(text)).toEqual(expected);
  });
});

describe('findResultLine', () => {
  it('takes the last result object among other lines', () => {
    const stdout = ['{"type":"system","subtype":"init"}', 'noise', '{"type":"result","result":"first"}', '{"type":"result","result":"last"}', ''].join('\n');
    expect(findResultLine(stdout)?.result).toBe('last');
  });

  it('finds none in garbage, empty output or truncated JSON', () => {
    expect(findResultLine('')).toBeUndefined();
    expect(findResultLine('<html>')).toBeUndefined();
    expect(findResultLine('{"type":"result","result":"cut of')).toBeUndefined();
    expect(findResultLine('{"type":"assistant"}')).toBeUndefined();
  });
});

describe('usage and model', () => {
  it('reads counts, ignoring what is not a number', () => {
    expect(usageOf({ type: 'result', usage: { input_tokens: 3, output_tokens: Number.NaN } })).toEqual({
      input_tokens: 3,
      output_tokens: null,
      cache_creation_input_tokens: null,
      cache_read_input_tokens: null,
    });
    expect(usageOf({ type: 'result' }).input_tokens).toBeNull();
  });

  it('takes the model from modelUsage', () => {
    expect(modelOf({ type: 'result', modelUsage: { 'claude-sonnet-4-5-20250929': {} } })).toBe('claude-sonnet-4-5-20250929');
    expect(modelOf({ type: 'result' })).toBeNull();
  });
});

describe('streamEventOf', () => {
  const line = (event: object) => JSON.stringify({ type: 'stream_event', event, session_id: 's' });

  it('reads text deltas and tool calls', () => {
    expect(streamEventOf(line({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } }))).toEqual({ type: 'delta', text: 'Hel' });
    expect(streamEventOf(line({ type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_1', name: 'Read', input: {} } }))).toEqual({
      type: 'tool_use',
      id: 'toolu_1',
      name: 'Read',
    });
  });

  it('reports the model a message starts with', () => {
    expect(streamEventOf(line({ type: 'message_start', message: { model: 'claude-sonnet-4-5', content: [] } }))).toEqual({ type: 'model', model: 'claude-sonnet-4-5' });
    expect(streamEventOf(line({ type: 'message_start', message: {} }))).toBeNull();
  });

  it('ignores everything else', () => {
    expect(streamEventOf(line({ type: 'content_block_delta', delta: { type: 'input_json_delta', partial_json: '{' } }))).toBeNull();
    expect(streamEventOf(line({ type: 'message_stop' }))).toBeNull();
    expect(streamEventOf('{"type":"result","result":"x"}')).toBeNull();
    expect(streamEventOf('{"type":"stream_event", broken')).toBeNull();
  });
});

describe('refusedToolCalls', () => {
  const user = (blocks: object[], meta: object[] = []) => JSON.stringify({ type: 'user', message: { role: 'user', content: blocks }, tool_result_meta: meta });
  it('counts permission denials, marked results and results that say they were refused, each call once', () => {
    const stdout = [
      user([{ type: 'tool_result', tool_use_id: 't1', is_error: true, content: 'x is outside y; --restricted confines the file tools' }], [{ id: 't1', non_execution_kind: 'permission-rule' }]),
      user([{ type: 'tool_result', tool_use_id: 't2', is_error: true, content: '<tool_use_error>Error: No such tool available: Bash.</tool_use_error>' }]),
      user([{ type: 'tool_result', tool_use_id: 't3', is_error: true, content: 'File does not exist.' }]),
      user([{ type: 'tool_result', tool_use_id: 't4', is_error: false, content: 'permission granted, here it is' }]),
      'not json',
    ].join('\n');
    expect(refusedToolCalls(stdout, { type: 'result', permission_denials: [{ tool_use_id: 't1' }, { tool_use_id: 't5' }] })).toBe(3);
    expect(refusedToolCalls('', { type: 'result' })).toBe(0);
  });
});
