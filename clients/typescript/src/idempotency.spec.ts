import { Clawdforge } from './clawdforge.js';
import { ClawdforgeError } from './errors.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** One request as the fake fetch saw it. */
interface Seen {
  method: string;
  path: string;
  key: string | null;
}

/** What the fake fetch does with one request: answer it, or fail as fetch does when no answer comes. */
type Step = Response | 'no answer';

const ok = (body: unknown) => new Response(JSON.stringify({ ok: true, ...(body as object) }), { status: 200, headers: { 'Content-Type': 'application/json' } });
const RUN = { result: 'done', duration_ms: 1, stop_reason: 'end_turn', queue_ms: 0, model: null, usage: {}, cost_usd: null, session_id: null, tools_refused: 0 };
const TURN = { session_id: 's1', turn_index: 1, events: [], stop_reason: 'end_turn', tools_refused: 0, duration_ms: 1, late_events: [] };
const STREAM = 'event: result\ndata: {"ok":true,"result":"done"}\n\n';

/** Every call the SDK makes reaches this fake fetch: the unit tier has no network. */
describe('Idempotency-Key', () => {
  const realFetch = globalThis.fetch;
  let seen: Seen[];
  let steps: Step[];

  beforeEach(() => {
    seen = [];
    steps = [];
    globalThis.fetch = (async (input: URL, init: RequestInit) => {
      const headers = init.headers as Record<string, string>;
      seen.push({ method: init.method ?? 'GET', path: input.pathname, key: headers['Idempotency-Key'] ?? null });
      const step = steps.shift();
      if (step === undefined || step === 'no answer') throw new TypeError('fetch failed');
      return step;
    }) as typeof fetch;
  });
  afterAll(() => {
    globalThis.fetch = realFetch;
  });

  const client = (options: Partial<ConstructorParameters<typeof Clawdforge>[0]> = {}) => new Clawdforge({ baseUrl: 'http://gateway.test', token: 'cf_test', ...options });

  it('sends a fresh UUID v4 on every run, new session and turn, whole or streamed, and none elsewhere', async () => {
    const cf = client();
    steps = [ok(RUN), ok(RUN), new Response(STREAM), ok({ session_id: 's1' }), ok(TURN), new Response(STREAM), ok({ items: [] }), ok({ file_token: 'ff_1' })];
    await cf.run({ prompt: 'one' });
    await cf.run({ prompt: 'one' });
    for await (const event of cf.runStream({ prompt: 'streamed' })) void event;
    const session = await cf.newSession({ agent: 'fake' });
    await session.turn('hello');
    for await (const event of session.turnStream('hello again')) void event;
    await cf.listFiles();
    await cf.uploadFile('notes');

    const keyed = seen.slice(0, 6);
    expect(keyed.map((s) => `${s.method} ${s.path}`)).toEqual(['POST /run', 'POST /run', 'POST /run', 'POST /sessions', 'POST /sessions/s1/turn', 'POST /sessions/s1/turn']);
    for (const request of keyed) expect(request.key).toMatch(UUID_V4);
    expect(new Set(keyed.map((s) => s.key)).size).toBe(6);
    expect(seen.slice(6)).toEqual([
      { method: 'GET', path: '/files', key: null },
      { method: 'POST', path: '/files', key: null },
    ]);
  });

  it('sends a key given to the call as it is', async () => {
    const cf = client();
    steps = [ok(RUN), new Response(STREAM), ok({ session_id: 's1' }), ok(TURN), new Response(STREAM)];
    await cf.run({ prompt: 'one' }, { idempotencyKey: 'order-42/summary' });
    for await (const event of cf.runStream({ prompt: 'two' }, { idempotencyKey: 'stream key' })) void event;
    const session = await cf.newSession({}, { idempotencyKey: 'new-session-1' });
    await session.turn('hello', { idempotencyKey: 'turn-1' });
    for await (const event of session.turnStream('again', { idempotencyKey: 'turn-2' })) void event;
    expect(seen.map((s) => s.key)).toEqual(['order-42/summary', 'stream key', 'new-session-1', 'turn-1', 'turn-2']);
  });

  it('retries a run that got no answer, and a 429, under the same key', async () => {
    const cf = client({ retry: { attempts: 3, maxDelayMs: 0 } });
    steps = ['no answer', new Response('{}', { status: 429, headers: { 'Retry-After': '0' } }), ok(RUN)];
    expect((await cf.run({ prompt: 'retried' })).result).toBe('done');
    expect(seen).toHaveLength(3);
    expect(seen[0].key).toMatch(UUID_V4);
    expect(seen.map((s) => s.key)).toEqual([seen[0].key, seen[0].key, seen[0].key]);

    seen = [];
    steps = ['no answer', ok(TURN)];
    await cf.getSession('s1').turn('hello', { idempotencyKey: 'turn-7' });
    expect(seen.map((s) => s.key)).toEqual(['turn-7', 'turn-7']);

    seen = [];
    steps = ['no answer', 'no answer', new Response(STREAM)];
    for await (const event of cf.runStream({ prompt: 'streamed' })) void event;
    expect(new Set(seen.map((s) => s.key)).size).toBe(1);
    expect(seen).toHaveLength(3);
  });

  it('gives up after the attempts asked for, and retries nothing without them', async () => {
    steps = ['no answer', 'no answer', 'no answer'];
    await expect(client({ retry: { attempts: 1, maxDelayMs: 0 } }).run({ prompt: 'x' })).rejects.toMatchObject({ code: 'network_error', status: 0 });
    expect(seen).toHaveLength(2);
    seen = [];
    await expect(client().run({ prompt: 'x' })).rejects.toMatchObject({ code: 'network_error' });
    expect(seen).toHaveLength(1);
  });

  it('does not retry a POST without a key (an upload, an admin call) that got no answer', async () => {
    const cf = client({ retry: { attempts: 3, maxDelayMs: 0 } });
    steps = ['no answer', 'no answer'];
    await expect(cf.uploadFile('notes')).rejects.toMatchObject({ code: 'network_error' });
    await expect(cf.tokens.create('app')).rejects.toMatchObject({ code: 'network_error' });
    expect(seen.map((s) => `${s.method} ${s.path} ${s.key}`)).toEqual(['POST /files null', 'POST /admin/tokens null']);
  });

  it('with idempotencyKeys: false sends only the keys given, and retries only those calls', async () => {
    const cf = client({ idempotencyKeys: false, retry: { attempts: 2, maxDelayMs: 0 } });
    steps = ['no answer', 'no answer', ok(RUN)];
    await expect(cf.run({ prompt: 'x' })).rejects.toMatchObject({ code: 'network_error' });
    await cf.run({ prompt: 'x' }, { idempotencyKey: 'mine' });
    expect(seen.map((s) => s.key)).toEqual([null, 'mine', 'mine']);
  });

  it('refuses a key the server would refuse, without a request', async () => {
    const cf = client();
    for (const key of ['', ' padded', 'x'.repeat(256), 'naïve', 'line\nbreak']) {
      const error = await cf.run({ prompt: 'x' }, { idempotencyKey: key }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ClawdforgeError);
      expect(error).toMatchObject({ code: 'invalid_request', status: 0, field: 'idempotencyKey' });
    }
    expect(seen).toEqual([]);
    steps = [ok(RUN)];
    await cf.run({ prompt: 'x' }, { idempotencyKey: 'x'.repeat(255) });
    expect(seen).toHaveLength(1);
  });

  it('does not retry a call whose signal was aborted', async () => {
    const cf = client({ retry: { attempts: 3, maxDelayMs: 0 } });
    const controller = new AbortController();
    controller.abort();
    steps = ['no answer', ok(RUN)];
    await expect(cf.run({ prompt: 'x' }, { signal: controller.signal })).rejects.toMatchObject({ code: 'network_error' });
    expect(seen).toHaveLength(1);
  });
});
