import * as fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { AuditService } from '@clawdforge/audit';
import { ManualClock } from '@clawdforge/core/testing';
import { IdempotencyService } from '@clawdforge/idempotency';
import { eventually } from './support/processes';
import { startTestApp, TestApp } from './support/test-app';

/**
 * Idempotency-Key on the POSTs that start paid work or create state, with the fake claude and acpx
 * at the process boundary: one piece of work per key, its answer given again to a retry.
 */
describe('Idempotency-Key', () => {
  let t: TestApp;
  let base: string;
  let token: string;
  let n = 0;
  /** A key no other case uses. */
  const freshKey = () => `key-${process.pid}-${++n}`;
  const post = (path: string, body: unknown, key?: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...(key === undefined ? {} : { 'Idempotency-Key': key }), ...headers },
      body: JSON.stringify(body),
    });
  const usage = async () => ((await (await fetch(`${base}/usage`, { headers: { Authorization: `Bearer ${token}` } })).json()) as { today: { runs: number; cost_usd: number } }).today;
  const audit = async (route: string, limit: number) => {
    await t.app.get(AuditService).flush();
    return (await t.admin('get', '/admin/audit').query({ route, limit: String(limit) }).expect(200)).body.items as { status: number; replayed: boolean | null; cost_usd: number | null }[];
  };

  beforeAll(async () => {
    t = await startTestApp({ RUN_WARM_POOL: '0' });
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    token = await t.mintToken('retrier');
  });
  afterAll(() => t.close());

  it('runs a /run once: the retry with the same key gets the same answer, replayed, and nothing is billed twice', async () => {
    const key = freshKey();
    const before = await usage();
    const first = await post('/run', { prompt: 'FAKE:spend:0.25' }, key);
    expect(first.status).toBe(200);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const body = await first.text();
    const again = await post('/run', { prompt: 'FAKE:spend:0.25' }, key);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(await again.text()).toBe(body);
    const after = await usage();
    expect(after.runs).toBe(before.runs + 1);
    expect(after.cost_usd).toBeCloseTo(before.cost_usd + 0.25, 9);
    const [replayed, original] = await audit('/run', 2);
    expect([replayed.replayed, replayed.status, original.replayed]).toEqual([true, 200, null]);
  });

  it('takes a body with its keys in another order as the same request, and refuses another body under the key with 422', async () => {
    const key = freshKey();
    expect((await post('/run', { prompt: 'FAKE:echo', model: 'sonnet' }, key)).status).toBe(200);
    const reordered = await post('/run', { model: 'sonnet', prompt: 'FAKE:echo' }, key);
    expect([reordered.status, reordered.headers.get('idempotent-replayed')]).toEqual([200, 'true']);
    const other = await post('/run', { prompt: 'FAKE:echo', model: 'haiku' }, key);
    expect(other.status).toBe(422);
    expect(await other.json()).toEqual({ ok: false, error: { code: 'idempotency_key_reused', message: expect.stringContaining('different request'), field: 'Idempotency-Key' } });
    // Streamed is another answer, so another request.
    expect((await post('/run', { prompt: 'FAKE:echo', model: 'sonnet' }, key, { Accept: 'text/event-stream' })).status).toBe(422);
  });

  it.each([
    ['empty', ''],
    ['256 characters', 'k'.repeat(256)],
    ['not ASCII', 'clé-1'],
    ['a control character', 'key\tone'],
  ])('refuses a key that is %s with 400 naming the header, running nothing', async (_what, key) => {
    const before = await usage();
    const res = await post('/run', { prompt: 'FAKE:spend:0.5' }, key);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { field: string } }).error.field).toBe('Idempotency-Key');
    expect((await usage()).runs).toBe(before.runs);
  });

  it('keeps no answer that did nothing: a 400 leaves the key free for the corrected request', async () => {
    const key = freshKey();
    expect((await post('/run', { prompt: 'x', timeout_secs: 0 }, key)).status).toBe(400);
    const corrected = await post('/run', { prompt: 'FAKE:echo' }, key);
    expect([corrected.status, corrected.headers.get('idempotent-replayed')]).toEqual([200, null]);
  });

  it('makes a duplicate sent while the first runs wait for it and answer the same, with one run', async () => {
    const key = freshKey();
    const before = await usage();
    const [a, b] = await Promise.all([post('/run', { prompt: 'FAKE:sleep:800' }, key), new Promise((r) => setTimeout(r, 150)).then(() => post('/run', { prompt: 'FAKE:sleep:800' }, key))]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(await b.text()).toBe(await a.text());
    expect([a.headers.get('idempotent-replayed'), b.headers.get('idempotent-replayed')]).toEqual([null, 'true']);
    expect((await usage()).runs).toBe(before.runs + 1);
  });

  it('streams a duplicate the first’s whole stream, from its start, then live', async () => {
    const key = freshKey();
    const sse = { Accept: 'text/event-stream' };
    const [a, b] = await Promise.all([post('/run', { prompt: 'FAKE:sleep:600' }, key, sse), new Promise((r) => setTimeout(r, 150)).then(() => post('/run', { prompt: 'FAKE:sleep:600' }, key, sse))]);
    expect(b.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const [first, second] = [await a.text(), await b.text()];
    expect(first).toContain('event: result');
    expect(second).toBe(first);
  });

  it('goes on with the work when the client of a keyed request goes away, and answers the retry with it', async () => {
    const key = freshKey();
    const before = await usage();
    const cut = new AbortController();
    setTimeout(() => cut.abort(), 200);
    await expect(fetch(`${base}/run`, { method: 'POST', signal: cut.signal, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Idempotency-Key': key }, body: JSON.stringify({ prompt: 'FAKE:spend:0.125:700' }) })).rejects.toThrow();
    const retry = await post('/run', { prompt: 'FAKE:spend:0.125:700' }, key);
    expect([retry.status, retry.headers.get('idempotent-replayed')]).toEqual([200, 'true']);
    expect(((await retry.json()) as { result: string }).result).toBe('spent 0.125');
    const after = await usage();
    expect(after.runs).toBe(before.runs + 1);
    expect(after.cost_usd).toBeCloseTo(before.cost_usd + 0.125, 9);
  });

  it('keeps keys to their token: another token’s same key is its own', async () => {
    const key = freshKey();
    expect((await post('/run', { prompt: 'FAKE:echo' }, key)).status).toBe(200);
    const other = await t.mintToken('another-retrier');
    const res = await fetch(`${base}/run`, { method: 'POST', headers: { Authorization: `Bearer ${other}`, 'Content-Type': 'application/json', 'Idempotency-Key': key }, body: JSON.stringify({ prompt: 'FAKE:json' }) });
    expect([res.status, res.headers.get('idempotent-replayed')]).toEqual([200, null]);
  });

  it('creates one session per key and takes one turn per key', async () => {
    // The fake acpx prints the turn's prompt as its output: what the agent said, then the end of the turn.
    const said = JSON.stringify({ jsonrpc: '2.0', method: 'session/update', params: { update: { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'hi' } } } });
    const prompt = `${said}\n${JSON.stringify({ jsonrpc: '2.0', id: 3, result: { stopReason: 'end_turn' } })}`;
    const key = freshKey();
    const created = await post('/sessions', {}, key);
    const again = await post('/sessions', {}, key);
    expect([created.status, again.status, again.headers.get('idempotent-replayed')]).toEqual([201, 201, 'true']);
    const id = ((await created.json()) as { session_id: string }).session_id;
    expect(((await again.json()) as { session_id: string }).session_id).toBe(id);
    const turnKey = freshKey();
    const turn = await post(`/sessions/${id}/turn`, { prompt }, turnKey);
    const retried = await post(`/sessions/${id}/turn`, { prompt }, turnKey);
    expect([turn.status, retried.status]).toEqual([200, 200]);
    expect(((await retried.json()) as { turn_index: number }).turn_index).toBe(1);
    const next = await post(`/sessions/${id}/turn`, { prompt }, freshKey());
    expect(((await next.json()) as { turn_index: number }).turn_index).toBe(2);
  });

  it('answers an openai SDK that timed out and retried with the same key from the one run', async () => {
    const before = await usage();
    const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: token, maxRetries: 2, timeout: 400 });
    const completion = await client.chat.completions.create({ model: 'sonnet', messages: [{ role: 'user', content: 'FAKE:spend:0.0625:900' }] }, { headers: { 'Idempotency-Key': freshKey() } });
    expect(completion.choices[0].message.content).toBe('spent 0.0625');
    expect((await usage()).runs).toBe(before.runs + 1);
  });

  it('stores one file per key: the retry of an upload gets the first one’s token and leaves no second copy', async () => {
    const upload = (key: string, text: string) => {
      const form = new FormData();
      form.append('file', new Blob([text], { type: 'text/plain' }), 'notes.txt');
      return fetch(`${base}/files`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Idempotency-Key': key }, body: form });
    };
    const filesOnDisk = () => fs.readdirSync(t.config.paths.filesDir).length;
    const key = freshKey();
    const first = await upload(key, 'the same notes');
    expect(first.status).toBe(201);
    const stored = filesOnDisk();
    const again = await upload(key, 'the same notes');
    expect([again.status, again.headers.get('idempotent-replayed')]).toEqual([201, 'true']);
    expect(((await again.json()) as { file_token: string }).file_token).toBe(((await first.json()) as { file_token: string }).file_token);
    // The retry's own bytes go once it is answered.
    expect(await eventually(() => filesOnDisk() === stored)).toBe(true);
    expect((await upload(key, 'other notes')).status).toBe(422);
    expect(await eventually(() => filesOnDisk() === stored)).toBe(true);
  });

  it('refuses a reused key on /v1/messages in Anthropic’s own error format', async () => {
    const key = freshKey();
    const body = { model: 'sonnet', max_tokens: 64, messages: [{ role: 'user', content: 'FAKE:echo' }] };
    expect((await post('/v1/messages', body, key)).status).toBe(200);
    const again = await post('/v1/messages', body, key);
    expect([again.status, again.headers.get('idempotent-replayed')]).toEqual([200, 'true']);
    const other = await post('/v1/messages', { ...body, max_tokens: 65 }, key);
    expect(other.status).toBe(422);
    expect(await other.json()).toMatchObject({ type: 'error', error: { message: expect.stringContaining('Idempotency-Key') } });
  });

  it('forgets a key once IDEMPOTENCY_TTL_SECS has passed: swept, and its retry runs anew', async () => {
    const clock = new ManualClock();
    const aged = await startTestApp({ RUN_WARM_POOL: '0', IDEMPOTENCY_TTL_SECS: '60' }, { clock });
    try {
      const mine = await aged.mintToken('aged');
      const send = () => aged.http().post('/run').set('Authorization', `Bearer ${mine}`).set('Idempotency-Key', 'aged-key').send({ prompt: 'FAKE:echo' });
      expect((await send()).headers['idempotent-replayed']).toBeUndefined();
      expect((await send()).headers['idempotent-replayed']).toBe('true');
      clock.advance(59);
      expect(await aged.app.get(IdempotencyService).sweep()).toBe(0);
      clock.advance(1);
      expect(await aged.app.get(IdempotencyService).sweep()).toBe(1);
      expect((await send()).headers['idempotent-replayed']).toBeUndefined();
    } finally {
      await aged.close();
    }
  });
});
