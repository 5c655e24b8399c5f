import { ApiError } from '@clawdforge/core';
import { parseChatRequest } from './chat-request';
import { chatUsage, finishReason } from './chat-response';

const config = { models: { default: 'sonnet', allowlist: [], aliases: { 'gpt-4o': 'sonnet' } } };
const base = { model: 'sonnet', messages: [{ role: 'user', content: 'hi' }] };
const refusal = (body: object) => {
  try {
    parseChatRequest({ ...base, ...body }, config);
  } catch (error) {
    return { code: (error as ApiError).code, param: (error as ApiError).field, status: (error as ApiError).status };
  }
  throw new Error('accepted');
};

describe('parseChatRequest', () => {
  it('takes system and developer messages as the system prompt and the rest as turns', () => {
    const parsed = parseChatRequest(
      {
        model: 'gpt-4o',
        messages: [
          { role: 'system', content: 'Be terse.' },
          { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
          { role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] },
        ],
        temperature: 0.2,
        seed: 7,
        stream: true,
        stream_options: { include_usage: true },
        response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } },
      },
      config,
    );
    expect(parsed).toEqual({
      model: 'sonnet',
      system: 'Be terse.\n\nAnswer in French.',
      turns: [{ role: 'user', blocks: [{ type: 'text', text: 'hi' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } }] }],
      jsonSchema: { type: 'object' },
      stream: true,
      includeUsage: true,
    });
  });

  it.each([
    [{ functions: [{ name: 'f' }] }, 'functions'],
    [{ tool_choice: 'required' }, 'tool_choice'],
    [{ tool_choice: { type: 'function', function: { name: 'f' } } }, 'tool_choice'],
    [{ parallel_tool_calls: false }, 'parallel_tool_calls'],
    [{ tools: [{ type: 'custom', custom: { name: 'f' } }] }, 'tools[0].type'],
    [{ tools: [{ type: 'function', function: { name: 'f' } }], response_format: { type: 'json_object' } }, 'response_format'],
    [{ messages: [{ role: 'function', content: 'x', name: 'f' }, { role: 'user', content: 'hi' }] }, 'messages[0].role'],
    [{ n: 2 }, 'n'],
    [{ logprobs: true }, 'logprobs'],
    [{ stop: ['\n'] }, 'stop'],
    [{ audio: { voice: 'alloy' } }, 'audio'],
    [{ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }] }, 'messages[0].content[0].image_url.url'],
    [{ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AA==', format: 'wav' } }] }] }, 'messages[0].content[0]'],
    [{ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'The answer is' }] }, 'messages[1]'],
    [{ frobnicate: true }, 'frobnicate'],
    [{ messages: [{ role: 'user', content: 'hi', mood: 'grumpy' }] }, 'messages[0].mood'],
  ])('refuses %j naming %s', (body, param) => {
    expect(refusal(body)).toEqual({ code: 'unsupported_parameter', param, status: 400 });
  });

  it('takes tools, tool calls and their results, and sees a history that ends with every result of the last calls as a continuation', () => {
    const parsed = parseChatRequest(
      {
        model: 'sonnet',
        tools: [{ type: 'function', function: { name: 'get.weather', parameters: { type: 'object' }, strict: true } }, { type: 'function', function: { name: 'now' } }],
        tool_choice: 'auto',
        parallel_tool_calls: true,
        messages: [
          { role: 'user', content: 'weather?' },
          { role: 'assistant', content: null, tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get.weather', arguments: '{"city":"Paris"}' } }, { id: 'toolu_2', type: 'function', function: { name: 'now', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 'toolu_1', content: 'sunny' },
          { role: 'tool', tool_call_id: 'toolu_2', content: [{ type: 'text', text: 'noon' }] },
        ],
      },
      config,
    );
    expect(parsed.tools?.clientName('mcp__fn__get_weather')).toBe('get.weather');
    expect(parsed.tools?.mcpTools()[1].inputSchema).toEqual({ type: 'object', properties: {} });
    expect(parsed.turns[2]).toEqual({ role: 'tool', blocks: [], toolResults: [{ id: 'toolu_1', text: 'sunny', isError: false }, { id: 'toolu_2', text: 'noon', isError: false }] });
    expect(parsed.continuation).toEqual({ ids: ['toolu_1', 'toolu_2'], results: parsed.turns[2].toolResults, prefix: [parsed.turns[0]] });
    expect(parseChatRequest({ ...base, tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: 'none' }, config).tools).toBeUndefined();
  });

  it('refuses results that do not answer exactly the calls before them, naming the message', () => {
    const calls = { role: 'assistant', content: '', tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: '{}' } }, { id: 'b', type: 'function', function: { name: 'f', arguments: '{}' } }] };
    expect(refusal({ messages: [{ role: 'user', content: 'x' }, calls, { role: 'tool', tool_call_id: 'a', content: '1' }] })).toMatchObject({ code: 'invalid_request', param: 'messages[2]' });
    expect(refusal({ messages: [{ role: 'user', content: 'x' }, calls, { role: 'tool', tool_call_id: 'a', content: '1' }, { role: 'tool', tool_call_id: 'c', content: '1' }] })).toMatchObject({ param: 'messages[2]' });
    expect(refusal({ messages: [{ role: 'user', content: 'x' }, { role: 'tool', tool_call_id: 'a', content: '1' }] })).toMatchObject({ param: 'messages[1]' });
  });

  it('answers an unknown model 404 and a bad field 400', () => {
    expect(refusal({ model: 'gpt-5' })).toEqual({ code: 'model_not_found', param: undefined, status: 404 });
    expect(refusal({ messages: [] })).toMatchObject({ code: 'invalid_request', param: 'messages' });
    expect(refusal({ temperature: 'hot' })).toMatchObject({ code: 'invalid_request', param: 'temperature' });
    expect(refusal({ stream_options: { include_usage: true } })).toMatchObject({ code: 'invalid_request', param: 'stream_options' });
  });
});

describe('chat usage and finish reason', () => {
  it('counts cache creation and reads in prompt_tokens, reads also as cached_tokens', () => {
    expect(chatUsage({ input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 100, cache_read_input_tokens: 1000 })).toEqual({
      prompt_tokens: 1110,
      completion_tokens: 5,
      total_tokens: 1115,
      prompt_tokens_details: { cached_tokens: 1000 },
    });
    expect(finishReason('end_turn')).toBe('stop');
    expect(finishReason('max_tokens')).toBe('length');
  });
});
