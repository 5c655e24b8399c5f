import * as path from 'node:path';
import { FakeModelApi, RecordedRequest } from './fixtures/fake-model-api/fake-model-api';
import { FakeModelEnv, useFakeModelApi } from './support/fake-model-env';
import { PNG_1X1 } from './support/sample-files';
import { startTestApp, TestApp } from './support/test-app';

const REAL_CLAUDE = path.join(__dirname, '..', 'node_modules', '.bin', 'claude');

/** The real pinned claude CLI behind /v1, against a fake Messages API on loopback: what the model is sent, block for block. */
describe('/v1 with the real claude CLI', () => {
  let fake: FakeModelEnv;
  let api: FakeModelApi;
  let t: TestApp;
  let token: string;
  const systemTexts = (request: RecordedRequest) => ((request.body?.system ?? []) as { text: string }[]).map((block) => block.text);
  const userContent = (request: RecordedRequest) => (request.body?.messages as { role: string; content: Record<string, unknown>[] }[])[0].content;

  beforeAll(async () => {
    fake = await useFakeModelApi();
    api = fake.api;
    t = await startTestApp({ CLAUDE_BIN: REAL_CLAUDE, CLAUDE_CONFIG_DIR: process.env.CLAUDE_CONFIG_DIR!, RUN_WARM_POOL: '0' });
    token = await t.mintToken('real-v1');
  });
  afterAll(async () => {
    await t.close();
    await fake.restore();
  });
  beforeEach(() => {
    api.requests.length = 0;
  });

  it('OpenAI: the history arrives as one escaped transcript with the image in place, the system messages as the system prompt', async () => {
    api.replyWith('Your name is Ada.');
    const res = await t
      .http()
      .post('/v1/chat/completions')
      .set('Authorization', `Bearer ${token}`)
      .send({
        model: 'sonnet',
        messages: [
          { role: 'system', content: 'You are a careful assistant.' },
          { role: 'user', content: 'My name is Ada.' },
          { role: 'assistant', content: 'Hello <Ada>.' },
          { role: 'user', content: [{ type: 'text', text: 'Look at this:' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_1X1.toString('base64')}` } }, { type: 'text', text: 'What is my name?' }] },
        ],
      })
      .expect(200);
    expect(res.body).toMatchObject({ object: 'chat.completion', model: expect.stringMatching(/^claude-/), choices: [{ message: { content: 'Your name is Ada.' }, finish_reason: 'stop' }] });
    expect(res.body.usage.prompt_tokens).toBeGreaterThan(0);
    const [request] = api.messageRequests;
    expect(systemTexts(request)).toContain('You are a careful assistant.');
    const content = userContent(request);
    const texts = content.filter((block) => block.type === 'text').map((block) => block.text as string);
    const images = content.filter((block) => block.type === 'image');
    expect(images).toEqual([{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_1X1.toString('base64') } }]);
    const transcript = texts.join('');
    expect(transcript).toContain('<message role="user">\nMy name is Ada.\n</message>\n<message role="assistant">\nHello &lt;Ada&gt;.\n</message>\n<message role="user">\nLook at this:');
    expect(transcript).toContain('What is my name?\n</message>\n</conversation>');
    // The image sits between the two halves of the last message.
    const imageAt = content.findIndex((block) => block.type === 'image');
    expect(String(content[imageAt - 1].text).endsWith('Look at this:')).toBe(true);
    expect(String(content[imageAt + 1].text).startsWith('What is my name?')).toBe(true);
  });

  it('Anthropic: a lone user message reaches the model as its own blocks, system as the system prompt', async () => {
    api.replyWith('A red dot.');
    const res = await t
      .http()
      .post('/v1/messages')
      .set('x-api-key', token)
      .set('anthropic-version', '2023-06-01')
      .send({
        model: 'sonnet',
        max_tokens: 100,
        system: 'Describe images in three words.',
        messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_1X1.toString('base64') } }, { type: 'text', text: 'What is this?' }] }],
      })
      .expect(200);
    expect(res.body).toMatchObject({ type: 'message', content: [{ type: 'text', text: 'A red dot.' }], stop_reason: 'end_turn', model: expect.stringMatching(/^claude-/) });
    expect(res.body.usage).toEqual({ input_tokens: expect.any(Number), output_tokens: expect.any(Number), cache_creation_input_tokens: expect.any(Number), cache_read_input_tokens: expect.any(Number) });
    const [request] = api.messageRequests;
    expect(systemTexts(request)).toContain('Describe images in three words.');
    expect(userContent(request).slice(0, 2)).toEqual([
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_1X1.toString('base64') } },
      { type: 'text', text: 'What is this?' },
    ]);
  });

  it('Anthropic streaming names the serving model in message_start', async () => {
    api.replyWith('streamed words');
    const res = await t
      .http()
      .post('/v1/messages')
      .set('x-api-key', token)
      .send({ model: 'sonnet', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'go' }] })
      .buffer(true)
      .parse((response, done) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        response.on('end', () => done(null, text));
      })
      .expect(200);
    const text = res.body as string;
    const start = /event: message_start\ndata: (.*)\n/.exec(text);
    expect(JSON.parse(start![1]).message.model).toMatch(/^claude-/);
    expect(text).toContain('"text_delta"');
    expect(text.trimEnd().endsWith('event: message_stop\ndata: {"type":"message_stop"}')).toBe(true);
  });

  it('answers a prompt past the context window with 400 context_length_exceeded', async () => {
    api.next({ error: { status: 400, type: 'invalid_request_error', message: 'prompt is too long: 250000 tokens > 200000 maximum' } });
    const res = await t.http().post('/v1/chat/completions').set('Authorization', `Bearer ${token}`).send({ model: 'sonnet', messages: [{ role: 'user', content: 'long' }] }).expect(400);
    expect(res.body.error).toMatchObject({ code: 'context_length_exceeded', type: 'invalid_request_error' });
  });
});
