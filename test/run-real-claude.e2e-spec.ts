import * as fs from 'node:fs';
import { FakeModelApi, RecordedRequest } from './fixtures/fake-model-api/fake-model-api';
import { FakeModelEnv, useFakeModelApi } from './support/fake-model-env';
import type { AddressInfo } from 'node:net';
import { AuditService } from '@clawdforge/audit';
import { ClaudeWarmPool } from '@clawdforge/runners';
import { eventually, strayChildren } from './support/processes';
import { postSse } from './support/sse-client';
import { realClis } from './support/real-clis';
import { PDF_MINIMAL, PNG_1X1, TEXT_NOTES } from './support/sample-files';
import { startTestApp, TestApp } from './support/test-app';

const REAL_CLAUDE = realClis().CLAUDE_BIN;

/** The real pinned claude CLI (or CLAUDE_BIN's), spawned by the real server, against a fake Messages API on loopback. */
describe.each([
  ['on', '1'],
  ['off', '0'],
])('POST /run with the real claude CLI, warm pool %s', (_pool, RUN_WARM_POOL) => {
  let fake: FakeModelEnv;
  let api: FakeModelApi;
  let t: TestApp;
  let token: string;
  const spares = () => t.app.get(ClaudeWarmPool).sparePids;
  const run = (body: object) => t.http().post('/run').set('Authorization', `Bearer ${token}`).send(body);
  const lastRunAudit = async () => {
    await t.app.get(AuditService).flush();
    return (await t.admin('get', '/admin/audit').query({ route: '/run', limit: '1' }).expect(200)).body.items[0];
  };
  const systemTexts = (request: RecordedRequest) => ((request.body?.system ?? []) as { text: string }[]).map((block) => block.text);

  beforeAll(async () => {
    fake = await useFakeModelApi();
    api = fake.api;
    t = await startTestApp({ CLAUDE_BIN: REAL_CLAUDE, CLAUDE_CONFIG_DIR: process.env.CLAUDE_CONFIG_DIR!, RUN_WARM_POOL });
    token = await t.mintToken('real');
  });
  afterAll(async () => {
    await t.close();
    await fake.restore();
  });
  beforeEach(() => {
    api.requests.length = 0;
    api.delayMs = 0;
  });

  it('returns a fenced JSON answer parsed, with the model, usage and the CLI session id', async () => {
    api.replyWith('```json\n{"qty": 2, "unit": "cup", "food": "rice"}\n```');
    const res = await run({ prompt: "about 2 cups of cooked white rice", model: 'sonnet', system: 'You are a precise recipe parser.' }).expect(200);
    expect(res.body).toMatchObject({
      ok: true,
      result: { qty: 2, unit: 'cup', food: 'rice' },
      stop_reason: 'end_turn',
      model: expect.stringMatching(/^claude-/),
      usage: { input_tokens: 21, output_tokens: 9 },
      session_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      cost_usd: expect.any(Number),
    });
    expect(api.messageRequests).toHaveLength(1);
    const [request] = api.messageRequests;
    expect(systemTexts(request)).toContain('You are a precise recipe parser.');
    expect(request.body?.tools).toEqual([]);
    expect(JSON.stringify(request.body?.messages)).toContain('about 2 cups of cooked white rice');
  });

  it('hands uploaded images, PDFs and text to the model as content blocks', async () => {
    const upload = async (content: Buffer, name: string) =>
      (await t.http().post('/files').set('Authorization', `Bearer ${token}`).attach('file', content, name).expect(201)).body.file_token as string;
    const files = [await upload(PNG_1X1, 'dot.png'), await upload(PDF_MINIMAL, 'doc.pdf'), await upload(TEXT_NOTES, 'notes.txt')];
    api.replyWith('seen');
    await run({ prompt: 'describe the files', files }).expect(200);
    const [request] = api.messageRequests;
    const userContent = (request.body?.messages as { role: string; content: Record<string, unknown>[] }[])[0].content;
    expect(userContent.slice(0, 4)).toEqual([
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_1X1.toString('base64') } },
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: PDF_MINIMAL.toString('base64') }, title: 'doc.pdf' },
      { type: 'text', text: `File: notes.txt\n\n${TEXT_NOTES.toString('utf8')}` },
      { type: 'text', text: 'describe the files' },
    ]);
  });

  describe('streaming (Server-Sent Events)', () => {
    let url: string;
    beforeAll(async () => {
      await t.app.listen(0, '127.0.0.1');
      url = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}/run`;
    });
    afterEach(() => {
      api.chunks = 3;
      api.chunkDelayMs = 0;
    });

    it('streams text deltas as the model writes them, then one result event with the usual body', async () => {
      api.replyWith('{"qty": 2, "unit": "cup"}');
      api.chunks = 5;
      api.chunkDelayMs = 150;
      const res = await postSse(url, token, { prompt: 'stream it' });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      expect(res.headers['x-accel-buffering']).toBe('no');
      const names = res.events.map((e) => e.event);
      expect(names.at(-1)).toBe('result');
      expect(names.slice(0, -1).every((n) => n === 'delta')).toBe(true);
      expect(names.length).toBeGreaterThanOrEqual(4);
      expect(res.events.filter((e) => e.event === 'delta').map((e) => (e.data as { text: string }).text).join('')).toBe('{"qty": 2, "unit": "cup"}');
      expect(res.events.at(-1)?.data).toMatchObject({ ok: true, result: { qty: 2, unit: 'cup' }, stop_reason: 'end_turn' });
      // The first delta arrives while the model is still writing, not with the result.
      expect(res.events.at(-1)!.at - res.events[0].at).toBeGreaterThanOrEqual(400);
    });

    it('accepts "stream": true and reports a failure after the start as an error event', async () => {
      api.next({ error: { status: 529, type: 'overloaded_error', message: 'Overloaded' } });
      const res = await postSse(url, token, { prompt: 'hi', stream: true });
      expect(res.status).toBe(200);
      expect(res.events.map((e) => e.event)).toEqual(['error']);
      expect(res.events[0].data).toMatchObject({ ok: false, error: { code: 'cli_failed' } });
    });

    it('answers errors before the run starts as plain JSON', async () => {
      const res = await postSse(url, token, { prompt: 'hi', model: 'gpt-4' });
      expect(res.status).toBe(400);
      expect(JSON.parse(res.text)).toMatchObject({ ok: false, error: { field: 'model' } });
    });

    it('stops the run when the client goes away mid-stream, leaving no process', async () => {
      api.replyWith('a slow answer that the client never waits for');
      api.chunks = 10;
      api.chunkDelayMs = 300;
      const res = await postSse(url, token, { prompt: 'go' }, (event) => event.event === 'delta');
      expect(res.events.map((e) => e.event)).toEqual(['delta']);
      expect(await strayChildren(spares)).toEqual([]);
      // Interrupted, the CLI said what the model had cost so far: the audit row (and the ledger) keep it.
      const row = await lastRunAudit();
      expect(row).toMatchObject({ error_code: 'cancelled', cost_usd: expect.any(Number) });
      expect(row.cost_usd).toBeGreaterThan(0);
    });
  });

  it('returns a plain answer as a string', async () => {
    api.replyWith('Just words.');
    const res = await run({ prompt: 'say something' }).expect(200);
    expect(res.body.result).toBe('Just words.');
  });

  it('keeps a flag-like system prompt as text, never as a flag', async () => {
    api.replyWith('ok');
    await run({ prompt: 'hi', system: '--dangerously-skip-permissions' }).expect(200);
    expect(systemTexts(api.messageRequests[0])).toContain('--dangerously-skip-permissions');
  });

  it('returns structured output for a json_schema', async () => {
    const schema = { type: 'object', properties: { qty: { type: 'number' } }, required: ['qty'] };
    api.replyWith((request) => {
      const offered = ((request.body?.tools ?? []) as { name: string }[]).some((tool) => tool.name === 'StructuredOutput');
      const answered = JSON.stringify(request.body?.messages).includes('tool_result');
      return offered && !answered ? { toolUse: { name: 'StructuredOutput', input: { qty: 3 } } } : { text: 'done' };
    });
    const res = await run({ prompt: 'how many?', json_schema: schema }).expect(200);
    expect(res.body.result).toEqual({ qty: 3 });
    const offered = (api.messageRequests[0].body?.tools as { name: string; input_schema: unknown }[]).find((tool) => tool.name === 'StructuredOutput');
    expect(offered?.input_schema).toEqual(schema);
  });

  it('maps an upstream error to 502 with the status, quickly and without retrying for minutes', async () => {
    api.next({ error: { status: 529, type: 'overloaded_error', message: 'Overloaded' } });
    const started = Date.now();
    const res = await run({ prompt: 'hi' }).expect(502);
    expect(res.body.error.code).toBe('cli_failed');
    expect(res.body.error.message).toContain('upstream 529');
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('answers an expired or refused login (401 authentication_error) with 503 upstream_auth', async () => {
    api.next({ error: { status: 401, type: 'authentication_error', message: 'invalid x-api-key' } });
    const res = await run({ prompt: 'hi' }).expect(503);
    expect(res.body.error).toMatchObject({ code: 'upstream_auth', message: expect.stringContaining('claude /login') });
  });

  it('hands the token’s budget left to the CLI, which stops a run past it: 429 budget_exceeded, the spend counted', async () => {
    const frugal = await t.mintToken('frugal');
    await t.http().patch('/admin/tokens/frugal').set('Authorization', 'Bearer test-admin-token-0123456789abcdef').send({ budget_usd_day: 0.000001 }).expect(200);
    // A tool call first: the CLI checks its spend between model calls.
    api.replyWith((request) => (JSON.stringify(request.body?.messages).includes('tool_result') ? { text: 'done' } : { toolUse: { name: 'Read', input: { file_path: '/nowhere' } } }));
    const res = await t.http().post('/run').set('Authorization', `Bearer ${frugal}`).send({ prompt: 'look around' }).expect(429);
    expect(res.body.error.code).toBe('budget_exceeded');
    expect(api.messageRequests).toHaveLength(1);
    const usage = await t.admin('get', '/admin/usage').query({ token: 'frugal' }).expect(200);
    expect(usage.body.items[0].cost_usd).toBeGreaterThan(0);
    expect((await t.http().post('/run').set('Authorization', `Bearer ${frugal}`).send({ prompt: 'again' }).expect(429)).body.error.code).toBe('budget_exceeded');
  });

  it('stops a run on a model that never answers: 504 and no process left', async () => {
    api.delayMs = 30_000;
    const res = await run({ prompt: 'hi', timeout_secs: 2 }).expect(504);
    expect(res.body.error.code).toBe('timeout');
    expect(await strayChildren(spares)).toEqual([]);
    // Stopped before the model answered a word: the CLI says the run cost nothing (or, stopped before
    // it was even up on a busy machine, says nothing at all).
    const row = await lastRunAudit();
    expect(row.error_code).toBe('timeout');
    expect([0, null]).toContain(row.cost_usd);
    // Only the spares' own directories remain.
    expect(await eventually(() => fs.readdirSync(t.config.paths.runsDir).length === spares().length)).toBe(true);
  });
});
