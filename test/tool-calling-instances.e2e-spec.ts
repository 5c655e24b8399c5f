import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import type { RecordedRequest } from './fixtures/fake-model-api/fake-model-api';
import { Postgres, startPostgres } from './support/postgres';
import { messagesText, startToolServer, ToolServer } from './support/tool-server';

const weather: ChatCompletionTool = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } };
/** Calls get_weather until a result saying "sunny" reaches it, then answers with it. */
const weatherModel = (request: RecordedRequest) => {
  const found = /sunny in [A-Z][a-z]+/.exec(messagesText(request));
  return found ? { text: `The tool says: ${found[0]}.` } : { clientTool: { name: 'get_weather', input: { city: 'Paris' } } };
};

/**
 * Two instances (npm start) on one PostgreSQL, each with the real claude against a fake model API of
 * its own, so which instance's claude did the work can be seen. A load balancer sends a tool call's
 * continuation wherever it likes; the instance that holds the parked run is the one that goes on.
 */
describe('tool calling across two instances on one PostgreSQL', () => {
  let pg: Postgres;
  let a: ToolServer;
  let b: ToolServer;
  let viaA: OpenAI;
  let viaB: OpenAI;

  beforeAll(async () => {
    pg = await startPostgres();
    const DATABASE_URL = await pg.freshDatabase();
    [a, b] = await Promise.all([startToolServer({ DATABASE_URL, TOOL_PARK_SECS: '4' }), startToolServer({ DATABASE_URL, TOOL_PARK_SECS: '4' })]);
    const token = await a.mint('tools-two-instances');
    viaA = new OpenAI({ baseURL: `${a.base}/v1`, apiKey: token, maxRetries: 0 });
    viaB = new OpenAI({ baseURL: `${b.base}/v1`, apiKey: token, maxRetries: 0 });
  }, 180_000);
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    pg?.stop();
  });
  beforeEach(() => {
    for (const server of [a, b]) {
      server.api.requests.length = 0;
      server.api.replyWith(weatherModel);
    }
  });

  const ask = async (): Promise<ChatCompletionMessageParam[]> => {
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
    const first = await viaA.chat.completions.create({ model: 'sonnet', messages, tools: [weather] });
    expect(first.choices[0].finish_reason).toBe('tool_calls');
    const [call] = first.choices[0].message.tool_calls!;
    return [...messages, first.choices[0].message, { role: 'tool', tool_call_id: call.id, content: 'sunny in Paris' }];
  };

  it('forwards a continuation that reaches the other instance to the one whose claude is parked, streamed or not', async () => {
    const { data, response } = await viaB.chat.completions.create({ model: 'sonnet', messages: await ask(), tools: [weather] }).withResponse();
    expect(response.headers.get('x-clawdforge-tool-resume')).toBe('parked');
    expect(data.choices[0].message.content).toBe('The tool says: sunny in Paris.');
    // A's claude did both steps; B's never ran.
    expect([a.api.messageRequests.length, b.api.messageRequests.length]).toEqual([2, 0]);

    const stream = await viaB.chat.completions.create({ model: 'sonnet', messages: await ask(), tools: [weather], stream: true }).withResponse();
    expect(stream.response.headers.get('x-clawdforge-tool-resume')).toBe('parked');
    let text = '';
    for await (const chunk of stream.data) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe('The tool says: sunny in Paris.');
    expect(b.api.messageRequests).toHaveLength(0);
    expect(await a.settled()).toMatchObject({ cli_children: 0, tool_runs: { running: 0, parked: 0 } });
  });

  it('replays on the instance it reached once the parked run has expired, with the same answer', async () => {
    const messages = await ask();
    expect(await a.settled(8000)).toMatchObject({ cli_children: 0, tool_runs: { running: 0, parked: 0 } });
    const { data, response } = await viaB.chat.completions.create({ model: 'sonnet', messages, tools: [weather] }).withResponse();
    expect(response.headers.get('x-clawdforge-tool-resume')).toBe('replayed');
    expect(data.choices[0].message.content).toBe('The tool says: sunny in Paris.');
    expect(b.api.messageRequests).toHaveLength(1);
  });
});
