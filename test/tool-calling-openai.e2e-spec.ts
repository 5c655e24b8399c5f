import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { RecordedRequest } from './fixtures/fake-model-api/fake-model-api';
import { messagesText, startToolServer, ToolServer, toolResults } from './support/tool-server';
import { ADMIN_TOKEN } from './support/test-env';

const weather: ChatCompletionTool = {
  type: 'function',
  function: { name: 'get.weather', description: 'The weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};
const clock: ChatCompletionTool = { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } };

/**
 * The official openai package, unchanged, against the built server running the real claude CLI on a
 * fake model: the client's functions as the model's only tools, the run parked between a tool call
 * and its result, and everything the SDK's helpers do with the answers.
 */
describe('tool calling on /v1/chat/completions with the openai SDK', () => {
  let s: ToolServer;
  let client: OpenAI;
  /** The model: calls get.weather for Paris until a result saying "sunny" reaches it, then answers with it. */
  const weatherModel = (request: RecordedRequest) => {
    const found = /sunny in [A-Z][a-z]+/.exec(messagesText(request));
    return found ? { text: `The tool says: ${found[0]}.` } : { clientTool: { name: 'get.weather', input: { city: 'Paris' } } };
  };

  beforeAll(async () => {
    s = await startToolServer({ TOOL_PARK_SECS: '3' });
    client = new OpenAI({ baseURL: `${s.base}/v1`, apiKey: await s.mint('tools-openai'), maxRetries: 0 });
  }, 120_000);
  afterAll(() => s?.close());
  beforeEach(() => {
    s.api.requests.length = 0;
    s.api.replyWith(weatherModel);
  });

  it('runs a whole loop with runTools: one claude, parked on its call, given the result, and only the client’s tool offered', async () => {
    const calls: unknown[] = [];
    const runner = client.chat.completions.runTools({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
      tools: [{ type: 'function', function: { name: 'get.weather', description: 'The weather in a city', parameters: weather.function.parameters!, parse: JSON.parse, function: (args: { city: string }) => (calls.push(args), `sunny in ${args.city}`) } }],
    });
    expect(await runner.finalContent()).toBe('The tool says: sunny in Paris.');
    expect(calls).toEqual([{ city: 'Paris' }]);
    const [first, second] = s.api.messageRequests;
    expect(s.api.messageRequests).toHaveLength(2);
    expect((first.body?.tools as { name: string }[]).map((tool) => tool.name)).toEqual(['mcp__fn__get_weather']);
    // The same process went on: the result reached the model as the answer to its own call, not as a new transcript.
    expect(toolResults(second)).toEqual([{ tool_use_id: expect.stringMatching(/^toolu_/), is_error: false, text: expect.stringContaining('sunny in Paris') }]);
    expect(messagesText(second)).not.toContain('<conversation>');
    expect(await s.settled()).toMatchObject({ cli_children: 0, tool_runs: { running: 0, parked: 0 } });
  });

  it('answers two calls of one message in one answer, and takes both results in one continuation', async () => {
    s.api.next({ clientTools: [{ name: 'get.weather', input: { city: 'Rome' } }, { name: 'get_time', input: {} }] });
    s.api.next({ text: 'Both answered.' });
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather and time?' }];
    const { data, response } = await client.chat.completions.create({ model: 'sonnet', messages, tools: [weather, clock] }).withResponse();
    expect(response.headers.get('x-clawdforge-tool-resume')).toBeNull();
    const choice = data.choices[0];
    expect(choice.finish_reason).toBe('tool_calls');
    const toolCalls = choice.message.tool_calls!.map((call) => (call.type === 'function' ? [call.function.name, JSON.parse(call.function.arguments)] : null));
    expect(toolCalls).toEqual([
      ['get.weather', { city: 'Rome' }],
      ['get_time', {}],
    ]);
    expect(data.usage?.completion_tokens).toBeGreaterThan(0);
    expect((await s.health()).tool_runs).toEqual({ running: 0, parked: 1 });
    messages.push(choice.message, ...choice.message.tool_calls!.map((call, i): ChatCompletionMessageParam => ({ role: 'tool', tool_call_id: call.id, content: i === 0 ? 'sunny in Rome' : 'noon' })));
    const next = await client.chat.completions.create({ model: 'sonnet', messages, tools: [weather, clock] }).withResponse();
    expect(next.response.headers.get('x-clawdforge-tool-resume')).toBe('parked');
    expect(next.data.choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: 'Both answered.' } });
    expect(next.response.headers.get('x-clawdforge-cost-usd')).toMatch(/^\d/);
    // Each result under its own call's id; the CLI lists them in the order its two calls came back, which may be either.
    const [weatherCall, clockCall] = choice.message.tool_calls!;
    const results = toolResults(s.api.messageRequests[1]);
    expect(results).toHaveLength(2);
    expect(results).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ tool_use_id: weatherCall.id, text: expect.stringContaining('sunny in Rome') }),
        expect.objectContaining({ tool_use_id: clockCall.id, text: expect.stringContaining('noon') }),
      ]),
    );
    expect(await s.settled()).toMatchObject({ cli_children: 0 });
  });

  it('streams the tool calls as deltas the SDK’s streaming runner assembles', async () => {
    const runner = client.chat.completions.runTools({
      model: 'sonnet',
      stream: true,
      messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
      tools: [{ type: 'function', function: { name: 'get.weather', description: 'The weather in a city', parameters: weather.function.parameters!, parse: JSON.parse, function: (args: { city: string }) => `sunny in ${args.city}` } }],
    });
    const deltas: string[] = [];
    runner.on('content', (delta) => deltas.push(delta));
    expect(await runner.finalContent()).toBe('The tool says: sunny in Paris.');
    const assistant = runner.messages.find((message) => message.role === 'assistant' && 'tool_calls' in message && message.tool_calls?.length);
    expect(assistant).toMatchObject({ tool_calls: [{ type: 'function', id: expect.stringMatching(/^toolu_/), function: { name: 'get.weather', arguments: '{"city":"Paris"}' } }] });
    expect(deltas.join('')).toBe('The tool says: sunny in Paris.');
    expect(await s.settled()).toMatchObject({ cli_children: 0 });
  });

  it('gives the same answer parked and replayed, and replays when the parked run is gone', async () => {
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
    const first = await client.chat.completions.create({ model: 'sonnet', messages, tools: [weather] });
    const call = first.choices[0].message.tool_calls![0];
    messages.push(first.choices[0].message, { role: 'tool', tool_call_id: call.id, content: 'sunny in Paris' });
    const parked = await client.chat.completions.create({ model: 'sonnet', messages, tools: [weather] }).withResponse();
    const replayed = await client.chat.completions.create({ model: 'sonnet', messages, tools: [weather] }).withResponse();
    expect(parked.response.headers.get('x-clawdforge-tool-resume')).toBe('parked');
    expect(replayed.response.headers.get('x-clawdforge-tool-resume')).toBe('replayed');
    expect(replayed.data.choices[0].message.content).toBe(parked.data.choices[0].message.content);
    expect(parked.data.choices[0].message.content).toBe('The tool says: sunny in Paris.');
    // Replayed: a new claude, given the whole history as a transcript with the call and its result.
    const last = s.api.messageRequests.at(-1)!;
    expect(messagesText(last)).toContain(`<tool_call id=\\"${call.id}\\"`);
    expect(messagesText(last)).toContain('sunny in Paris</tool_result>');
    expect(await s.settled()).toMatchObject({ cli_children: 0 });
  });

  it('does not let another token’s request reach a parked run: it replays, and the owner still continues its own', async () => {
    const other = new OpenAI({ baseURL: `${s.base}/v1`, apiKey: await s.mint('tools-openai-other'), maxRetries: 0 });
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
    const first = await client.chat.completions.create({ model: 'sonnet', messages, tools: [weather] });
    messages.push(first.choices[0].message, { role: 'tool', tool_call_id: first.choices[0].message.tool_calls![0].id, content: 'sunny in Paris' });
    // At once: the owner's run is parked only TOOL_PARK_SECS, less than a replay takes.
    const [theirs, ours] = await Promise.all([
      other.chat.completions.create({ model: 'sonnet', messages, tools: [weather] }).withResponse(),
      new Promise((resolve) => setTimeout(resolve, 100)).then(() => client.chat.completions.create({ model: 'sonnet', messages, tools: [weather] }).withResponse()),
    ]);
    expect(theirs.response.headers.get('x-clawdforge-tool-resume')).toBe('replayed');
    expect(ours.response.headers.get('x-clawdforge-tool-resume')).toBe('parked');
    expect([theirs.data.choices[0].message.content, ours.data.choices[0].message.content]).toEqual(['The tool says: sunny in Paris.', 'The tool says: sunny in Paris.']);
    expect(await s.settled()).toMatchObject({ cli_children: 0 });
  });

  it('ends a run parked past TOOL_PARK_SECS with no claude left, and bills the model call it made, tokens and cost', async () => {
    const usage = async () => {
      const res = await fetch(`${s.base}/admin/usage?token=tools-openai&group_by=token`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
      return ((await res.json()) as { items: { runs: number; input_tokens: number; cost_usd: number }[] }).items[0] ?? { runs: 0, input_tokens: 0, cost_usd: 0 };
    };
    const before = await usage();
    await client.chat.completions.create({ model: 'sonnet', messages: [{ role: 'user', content: 'Weather in Paris?' }], tools: [weather] });
    expect(await s.health()).toMatchObject({ cli_children: 1, tool_runs: { running: 0, parked: 1 } });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await s.settled()).toMatchObject({ cli_children: 0, tool_runs: { running: 0, parked: 0 } });
    const after = await usage();
    expect(after.runs).toBe(before.runs + 1);
    expect(after.input_tokens).toBe(before.input_tokens + 21);
    // Interrupted while parked, the CLI said what the run had cost: that is billed too.
    expect(after.cost_usd).toBeGreaterThan(before.cost_usd);
  });

  it('leaves no claude when the client goes away while the model works', async () => {
    s.api.delayMs = 3000;
    try {
      const aborter = new AbortController();
      const pending = client.chat.completions.create({ model: 'sonnet', stream: true, messages: [{ role: 'user', content: 'Weather?' }], tools: [weather] }, { signal: aborter.signal });
      const stream = await pending;
      setTimeout(() => aborter.abort(), 500);
      const chunks: unknown[] = [];
      await (async () => {
        for await (const chunk of stream) chunks.push(chunk);
      })().catch(() => undefined);
      expect(chunks.some((chunk) => JSON.stringify(chunk).includes('tool_calls'))).toBe(false);
      expect(await s.settled()).toMatchObject({ cli_children: 0, tool_runs: { running: 0, parked: 0 } });
    } finally {
      s.api.delayMs = 0;
    }
  });

  it.each([
    [{ tool_choice: 'required' }, 'tool_choice'],
    [{ parallel_tool_calls: false }, 'parallel_tool_calls'],
    [{ tools: [weather, { type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }] }, 'tools[1].function.name'],
    [{ tools: [{ type: 'function', function: { name: 'bad', parameters: { type: 'object', properties: { a: { type: 'text' } } } } }] }, 'tools[0].function.parameters'],
  ])('refuses %j with 400 naming %s, starting nothing', async (extra, param) => {
    const error = await client.chat.completions.create({ model: 'sonnet', messages: [{ role: 'user', content: 'hi' }], tools: [weather], ...extra } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe(param);
    expect(s.api.messageRequests).toHaveLength(0);
  });
});
