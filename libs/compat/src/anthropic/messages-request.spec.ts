import { ApiError } from '@clawdforge/core';
import { parseMessagesRequest } from './messages-request';

const config = { models: { default: 'sonnet', allowlist: [], aliases: {} } };
const base = { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] };
const refusal = (body: object) => {
  try {
    parseMessagesRequest({ ...base, ...body }, config);
  } catch (error) {
    return { code: (error as ApiError).code, param: (error as ApiError).field };
  }
  throw new Error('accepted');
};

describe('parseMessagesRequest', () => {
  it('takes system blocks, images and the structured-output field', () => {
    expect(
      parseMessagesRequest(
        {
          ...base,
          system: [{ type: 'text', text: 'Be terse.' }],
          top_k: 3,
          messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQ' } }, { type: 'text', text: 'what?' }] }],
          output_config: { format: { type: 'json_schema', schema: { type: 'object' } } },
        },
        config,
      ),
    ).toEqual({
      model: 'claude-sonnet-4-5',
      system: 'Be terse.',
      turns: [{ role: 'user', blocks: [{ type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQ' } }, { type: 'text', text: 'what?' }] }],
      jsonSchema: { type: 'object' },
      stream: false,
    });
  });

  it.each([
    [{ tool_choice: { type: 'any' } }, 'tool_choice.type'],
    [{ tool_choice: { type: 'auto', disable_parallel_tool_use: true } }, 'tool_choice.disable_parallel_tool_use'],
    [{ tools: [{ type: 'web_search_20250305', name: 'web_search' }] }, 'tools[0].type'],
    [{ tools: [{ name: 'f', input_schema: { type: 'object' } }], output_format: { type: 'json_schema', schema: { type: 'object' } } }, 'output_format'],
    [{ stop_sequences: ['END'] }, 'stop_sequences'],
    [{ messages: [{ role: 'user', content: [{ type: 'server_tool_use', id: 't', name: 'x', input: {} }] }] }, 'messages[0].content[0]'],
    [{ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } }] }] }, 'messages[0].content[0].source.type'],
    [{ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: '{' }] }, 'messages[1]'],
  ])('refuses %j naming %s', (body, param) => {
    expect(refusal(body)).toEqual({ code: 'unsupported_parameter', param });
  });

  it('takes tools, tool_use blocks and tool_result blocks with is_error, and sees results alone at the end as a continuation', () => {
    const assistant = { role: 'assistant', content: [{ type: 'text', text: '' }, { type: 'tool_use', id: 'toolu_1', name: 'get.weather', input: { city: 'Paris' } }] };
    const results = { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'no such city' }], is_error: true }] };
    const parsed = parseMessagesRequest({ ...base, tools: [{ name: 'get.weather', input_schema: { type: 'object' } }], messages: [{ role: 'user', content: 'weather?' }, assistant, results] }, config);
    expect(parsed.tools?.clientName('mcp__fn__get_weather')).toBe('get.weather');
    expect(parsed.turns[1]).toEqual({ role: 'assistant', blocks: [], toolCalls: [{ id: 'toolu_1', name: 'get.weather', arguments: '{"city":"Paris"}' }] });
    expect(parsed.continuation).toEqual({ ids: ['toolu_1'], results: [{ id: 'toolu_1', text: 'no such city', isError: true }], prefix: [parsed.turns[0]] });
    // Text beside the results cannot reach a parked run: the history is replayed.
    const withText = { role: 'user', content: [...results.content, { type: 'text', text: 'and tomorrow?' }] };
    expect(parseMessagesRequest({ ...base, messages: [{ role: 'user', content: 'weather?' }, assistant, withText] }, config).continuation).toBeUndefined();
    expect(parseMessagesRequest({ ...base, tools: [{ name: 'f', input_schema: { type: 'object' } }], tool_choice: { type: 'none' } }, config).tools).toBeUndefined();
    expect(refusal({ messages: [{ role: 'user', content: 'weather?' }, assistant, { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_9', content: 'x' }] }] })).toEqual({
      code: 'invalid_request',
      param: 'messages[2]',
    });
    expect(refusal({ tools: [{ name: 'a b', input_schema: { type: 'object' } }, { name: 'a_b', input_schema: { type: 'object' } }] })).toEqual({ code: 'invalid_request', param: 'tools[1].name' });
    expect(refusal({ tools: [{ name: 'f', input_schema: { type: 'array' } }] })).toEqual({ code: 'invalid_request', param: 'tools[0].input_schema' });
  });

  it('answers an unknown model 404', () => {
    expect(refusal({ model: 'gpt-4o' })).toEqual({ code: 'model_not_found', param: undefined });
  });
});
