import Anthropic from '@anthropic-ai/sdk';
import { betaTool } from '@anthropic-ai/sdk/helpers/beta/json-schema';
import type { MessageParam, Tool } from '@anthropic-ai/sdk/resources/messages';
import { RecordedRequest } from './fixtures/fake-model-api/fake-model-api';
import { messagesText, startToolServer, ToolServer, toolResults } from './support/tool-server';

const weather: Tool = { name: 'get.weather', description: 'The weather in a city', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } };

/** The official @anthropic-ai/sdk, unchanged, against the built server running the real claude CLI on a fake model. */
describe('tool calling on /v1/messages with the @anthropic-ai/sdk', () => {
  let s: ToolServer;
  let client: Anthropic;
  const weatherModel = (request: RecordedRequest) => {
    const results = toolResults(request);
    if (results.some((result) => result.is_error)) return { text: 'The tool failed.' };
    const found = /sunny in [A-Z][a-z]+/.exec(messagesText(request));
    return found ? { text: `The tool says: ${found[0]}.` } : { clientTool: { name: 'get.weather', input: { city: 'Paris' } } };
  };

  beforeAll(async () => {
    s = await startToolServer();
    client = new Anthropic({ baseURL: s.base, apiKey: await s.mint('tools-anthropic'), maxRetries: 0 });
  }, 120_000);
  afterAll(() => s?.close());
  beforeEach(() => {
    s.api.requests.length = 0;
    s.api.replyWith(weatherModel);
  });

  it('runs a whole loop with toolRunner in one parked claude', async () => {
    const calls: unknown[] = [];
    const tool = betaTool({
      name: 'get.weather',
      description: 'The weather in a city',
      inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      run: (input) => (calls.push(input), `sunny in ${String(input.city)}`),
    });
    const final = await client.beta.messages.toolRunner({ model: 'sonnet', max_tokens: 256, thread: false, messages: [{ role: 'user', content: 'Weather in Paris?' }], tools: [tool] }).runUntilDone();
    expect(final.content).toEqual([{ type: 'text', text: 'The tool says: sunny in Paris.' }]);
    expect(calls).toEqual([{ city: 'Paris' }]);
    expect(s.api.messageRequests).toHaveLength(2);
    expect((s.api.messageRequests[0].body?.tools as { name: string }[]).map((t) => t.name)).toEqual(['mcp__fn__get_weather']);
    expect(toolResults(s.api.messageRequests[1])).toEqual([{ tool_use_id: expect.stringMatching(/^toolu_/), is_error: false, text: expect.stringContaining('sunny in Paris') }]);
    expect(await s.settled()).toMatchObject({ cli_children: 0, tool_runs: { running: 0, parked: 0 } });
  });

  it('streams the call as input_json_delta, which the SDK’s stream assembles, and hands an is_error result to the model as an error', async () => {
    const messages: MessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
    const stream = client.messages.stream({ model: 'sonnet', max_tokens: 256, messages, tools: [weather] });
    const jsons: string[] = [];
    stream.on('inputJson', (partial) => jsons.push(partial));
    const called = await stream.finalMessage();
    expect(called.stop_reason).toBe('tool_use');
    const use = called.content.find((block) => block.type === 'tool_use');
    expect(use).toMatchObject({ type: 'tool_use', name: 'get.weather', input: { city: 'Paris' }, id: expect.stringMatching(/^toolu_/) });
    expect(jsons.join('')).toBe('{"city":"Paris"}');
    messages.push({ role: 'assistant', content: called.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: use!.type === 'tool_use' ? use!.id : '', content: 'city not found', is_error: true }] });
    const { data, response } = await client.messages.create({ model: 'sonnet', max_tokens: 256, messages, tools: [weather] }).withResponse();
    expect(response.headers.get('x-clawdforge-tool-resume')).toBe('parked');
    expect(data).toMatchObject({ stop_reason: 'end_turn', content: [{ type: 'text', text: 'The tool failed.' }] });
    expect(toolResults(s.api.messageRequests[1])).toEqual([{ tool_use_id: expect.any(String), is_error: true, text: expect.stringContaining('city not found') }]);
    expect(await s.settled()).toMatchObject({ cli_children: 0 });
  });

  it('answers two calls of one message as two tool_use blocks', async () => {
    s.api.next({ clientTools: [{ name: 'get.weather', input: { city: 'Rome' } }, { name: 'get.weather', input: { city: 'Oslo' } }] });
    const called = await client.messages.create({ model: 'sonnet', max_tokens: 256, messages: [{ role: 'user', content: 'Rome and Oslo?' }], tools: [weather] });
    expect(called.content.map((block) => (block.type === 'tool_use' ? block.input : block.type))).toEqual([{ city: 'Rome' }, { city: 'Oslo' }]);
    const results = called.content.map((block) => ({ type: 'tool_result' as const, tool_use_id: block.type === 'tool_use' ? block.id : '', content: 'sunny in Rome' }));
    const done = await client.messages.create({ model: 'sonnet', max_tokens: 256, messages: [{ role: 'user', content: 'Rome and Oslo?' }, { role: 'assistant', content: called.content }, { role: 'user', content: results }], tools: [weather] });
    expect(done.content).toEqual([{ type: 'text', text: 'The tool says: sunny in Rome.' }]);
    expect(await s.settled()).toMatchObject({ cli_children: 0 });
  });

  it.each([
    [{ tool_choice: { type: 'any' } }, 'tool_choice.type'],
    [{ tools: [{ ...weather, input_schema: { type: 'object', properties: { city: { type: 'place' } } } }] }, 'tools[0].input_schema'],
    [{ tools: [{ type: 'web_search_20250305', name: 'web_search' }] }, 'tools[0].type'],
  ])('refuses %j with 400 naming %s', async (extra, param) => {
    const error = await client.messages.create({ model: 'sonnet', max_tokens: 256, messages: [{ role: 'user', content: 'hi' }], tools: [weather], ...extra } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as InstanceType<typeof Anthropic.BadRequestError>).message).toContain(param);
    expect(s.api.messageRequests).toHaveLength(0);
  });
});
