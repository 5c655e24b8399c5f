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
    [{ tools: [{ name: 'f', input_schema: { type: 'object' } }] }, 'tools'],
    [{ tool_choice: { type: 'auto' } }, 'tool_choice'],
    [{ stop_sequences: ['END'] }, 'stop_sequences'],
    [{ messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'x' }] }] }, 'messages[0].content[0]'],
    [{ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } }] }] }, 'messages[0].content[0].source.type'],
    [{ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: '{' }] }, 'messages[1]'],
  ])('refuses %j naming %s', (body, param) => {
    expect(refusal(body)).toEqual({ code: 'unsupported_parameter', param });
  });

  it('answers an unknown model 404', () => {
    expect(refusal({ model: 'gpt-4o' })).toEqual({ code: 'model_not_found', param: undefined });
  });
});
