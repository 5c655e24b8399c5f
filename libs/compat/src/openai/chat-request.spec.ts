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
    [{ tools: [{ type: 'function', function: { name: 'f' } }] }, 'tools'],
    [{ functions: [{ name: 'f' }] }, 'functions'],
    [{ tool_choice: 'auto' }, 'tool_choice'],
    [{ n: 2 }, 'n'],
    [{ logprobs: true }, 'logprobs'],
    [{ stop: ['\n'] }, 'stop'],
    [{ audio: { voice: 'alloy' } }, 'audio'],
    [{ messages: [{ role: 'tool', content: 'x', tool_call_id: 't' }, { role: 'user', content: 'hi' }] }, 'messages[0].role'],
    [{ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }] }, 'messages[0].content[0].image_url.url'],
    [{ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AA==', format: 'wav' } }] }] }, 'messages[0].content[0]'],
    [{ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'The answer is' }] }, 'messages[1]'],
    [{ frobnicate: true }, 'frobnicate'],
    [{ messages: [{ role: 'user', content: 'hi', mood: 'grumpy' }] }, 'messages[0].mood'],
  ])('refuses %j naming %s', (body, param) => {
    expect(refusal(body)).toEqual({ code: 'unsupported_parameter', param, status: 400 });
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
