import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { FakeModelEnv, useFakeModelApi } from './support/fake-model-env';
import { realClis } from './support/real-clis';
import { startTestApp, TestApp } from './support/test-app';

/**
 * Retries with an Idempotency-Key against the real pinned CLIs (claude; acpx, the Claude ACP adapter
 * and claude) on a fake Messages API: the model is called once per key, counted in the fake's log.
 */
describe('Idempotency-Key with the real CLIs: one model call per key', () => {
  let fake: FakeModelEnv;
  let t: TestApp;
  let base: string;
  let token: string;
  const post = (path: string, body: unknown, key: string) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Idempotency-Key': key }, body: JSON.stringify(body) });

  /** How many model calls the fake has had, once none has come for 2 s (at most 20 s). */
  const quietCount = async () => {
    const deadline = Date.now() + 20_000;
    let count = fake.api.messageRequests.length;
    let since = Date.now();
    while (Date.now() - since < 2000 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (fake.api.messageRequests.length !== count) {
        count = fake.api.messageRequests.length;
        since = Date.now();
      }
    }
    return count;
  };

  beforeAll(async () => {
    fake = await useFakeModelApi();
    t = await startTestApp({ ...realClis(), RUN_WARM_POOL: '0' });
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    token = await t.mintToken('real-retries');
  });
  afterAll(async () => {
    await t.close();
    await fake.restore();
  });
  beforeEach(() => {
    fake.api.requests.length = 0;
    fake.api.delayMs = 0;
    fake.api.replyWith('Kept once.');
  });

  it('a /run sent twice: one model call, the same body', async () => {
    const first = await post('/run', { prompt: 'once, please' }, 'real-run-1');
    const again = await post('/run', { prompt: 'once, please' }, 'real-run-1');
    expect([first.status, again.status, again.headers.get('idempotent-replayed')]).toEqual([200, 200, 'true']);
    expect(await again.text()).toBe(await first.text());
    expect(fake.api.messageRequests).toHaveLength(1);
  });

  it('the openai SDK cut off by its own timeout mid-run and retrying with the key: one model call, the answer', async () => {
    fake.api.delayMs = 1500;
    const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: token, maxRetries: 3, timeout: 700 });
    const completion = await client.chat.completions.create({ model: 'sonnet', messages: [{ role: 'user', content: 'slowly, please' }] }, { headers: { 'Idempotency-Key': 'real-v1-1' } });
    expect(completion.choices[0].message.content).toBe('Kept once.');
    expect(fake.api.messageRequests).toHaveLength(1);
  });

  it('a session turn sent twice: no model call for the second, the same turn', async () => {
    const created = await post('/sessions', { agent: 'claude', model: 'sonnet' }, 'real-session-1');
    expect(created.status).toBe(201);
    const { session_id: id } = (await created.json()) as { session_id: string };
    try {
      const turn = await post(`/sessions/${id}/turn`, { prompt: 'Say it once.' }, 'real-turn-1');
      const body = await turn.text();
      // The agent may make a call of its own after the turn has answered (while acpx finishes): count
      // once the model has been quiet a while, then hold the retry to no call of its own.
      const calls = await quietCount();
      expect(calls).toBeGreaterThan(0);
      const again = await post(`/sessions/${id}/turn`, { prompt: 'Say it once.' }, 'real-turn-1');
      expect([turn.status, again.status, again.headers.get('idempotent-replayed')]).toEqual([200, 200, 'true']);
      expect(await again.text()).toBe(body);
      expect(await quietCount()).toBe(calls);
    } finally {
      await fetch(`${base}/sessions/${id}`, { method: 'DELETE', headers: { Authorization: `Bearer ${token}` } });
    }
  });
});
