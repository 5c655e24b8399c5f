import type { AddressInfo } from 'node:net';
import { eventually, processesWith } from './support/processes';
import { makeDataDir, startTestApp, TestApp } from './support/test-app';

interface RunView {
  run_id: string;
  status: string;
  http_status: number | null;
  response: Record<string, unknown> | null;
  started_at: string | null;
  finished_at: string | null;
}

/** Background runs (`"background": true`) with the fake claude at the process boundary: owned by no connection, read back by id, their events resumable. */
describe('background runs', () => {
  let t: TestApp;
  let base: string;
  let token: string;
  const dataDir = makeDataDir();
  const start = async (t: TestApp) => {
    await t.app.listen(0, '127.0.0.1');
    return `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  };
  const as = (bearer: string) => ({ Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' });
  const launch = async (body: Record<string, unknown>) => {
    const res = await fetch(`${base}/run`, { method: 'POST', headers: as(token), body: JSON.stringify({ ...body, background: true }) });
    expect(res.status).toBe(202);
    const accepted = (await res.json()) as { run_id: string; status: string };
    expect(accepted.status).toBe('queued');
    expect(res.headers.get('location')).toBe(`/runs/${accepted.run_id}`);
    return accepted.run_id;
  };
  const view = async (id: string, bearer = token) => {
    const res = await fetch(`${base}/runs/${id}`, { headers: as(bearer) });
    return { status: res.status, body: (await res.json()) as RunView & { error?: { code: string } } };
  };
  /** The run once it has ended (polled). */
  const ended = async (id: string) => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const { body } = await view(id);
      if (!['queued', 'running'].includes(body.status) || Date.now() > deadline) return body;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  /** The run's SSE stream read to its end: each frame's id, event and data. */
  const events = async (id: string, headers: Record<string, string> = {}, query = '') => {
    const res = await fetch(`${base}/runs/${id}/events${query}`, { headers: { ...as(token), ...headers } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    return (await res.text())
      .split('\n\n')
      .filter(Boolean)
      .map((frame) => {
        const field = (name: string) => /^(\w+): (.*)$/gm.exec(frame) && [...frame.matchAll(/^(\w+): (.*)$/gm)].find((m) => m[1] === name)?.[2];
        return { id: Number(field('id')), event: field('event'), data: JSON.parse(field('data') ?? 'null') as unknown };
      });
  };

  beforeAll(async () => {
    t = await startTestApp({ RUN_WARM_POOL: '0' }, { dataDir });
    base = await start(t);
    token = await t.mintToken('background');
  });
  afterAll(() => t?.close());

  it('answers 202 at once and keeps the very answer a plain /run gives, with its timing', async () => {
    const started = Date.now();
    const id = await launch({ prompt: 'FAKE:sleep:600' });
    expect(Date.now() - started).toBeLessThan(600);
    const run = await ended(id);
    expect(run).toMatchObject({ status: 'succeeded', http_status: 200, response: { ok: true, result: 'slept 600', cost_usd: 0.0042 } });
    expect(Date.parse(run.finished_at!)).toBeGreaterThanOrEqual(Date.parse(run.started_at!));
    const plain = await fetch(`${base}/run`, { method: 'POST', headers: as(token), body: JSON.stringify({ prompt: 'FAKE:sleep:600' }) });
    const { duration_ms: _a, ...fromPlain } = (await plain.json()) as Record<string, unknown>;
    const { duration_ms: _b, ...fromBackground } = run.response!;
    expect(fromBackground).toEqual(fromPlain);
  });

  it('keeps a failure’s error body and status, and lists the token’s runs newest first, another token seeing none of them', async () => {
    const id = await launch({ prompt: 'FAKE:is_error' });
    expect(await ended(id)).toMatchObject({ status: 'failed', http_status: 502, response: { ok: false, error: { code: 'cli_failed' } } });
    const page = async (query: string) => (await (await fetch(`${base}/runs${query}`, { headers: as(token) })).json()) as { items: RunView[]; next_cursor: string | null };
    const first = await page('?limit=1');
    expect(first.items.map((run) => run.run_id)).toEqual([id]);
    const second = await page(`?limit=1&cursor=${first.next_cursor}`);
    expect(second.items).toHaveLength(1);
    expect(second.items[0].run_id).not.toBe(id);
    expect(second.next_cursor).toBeNull();
    const other = await t.mintToken('background-other');
    expect(await view(id, other)).toEqual({ status: 404, body: { ok: false, error: { code: 'run_not_found', message: `no run ${id}` } } });
    expect(((await (await fetch(`${base}/runs`, { headers: as(other) })).json()) as { items: unknown[] }).items).toEqual([]);
  });

  it('streams its events numbered, and a reader that comes back with Last-Event-ID (or after=) gets the rest, none lost or repeated', async () => {
    const id = await launch({ prompt: 'tell me' });
    const all = await events(id);
    expect(all.map((e) => [e.id, e.event])).toEqual([
      [1, 'delta'],
      [2, 'delta'],
      [3, 'result'],
    ]);
    expect(all.slice(0, 2).map((e) => (e.data as { text: string }).text).join('')).toBe('You said: tell me');
    expect(all[2].data).toMatchObject({ ok: true, result: 'You said: tell me' });
    expect(await events(id, { 'Last-Event-ID': '1' })).toEqual(all.slice(1));
    expect(await events(id, {}, '?after=2')).toEqual(all.slice(2));
    expect(await events(id, {}, '?after=3')).toEqual([]);
    const bad = await fetch(`${base}/runs/${id}/events`, { headers: { ...as(token), 'Last-Event-ID': 'soon' } });
    expect(bad.status).toBe(400);
  });

  it('follows a run live: the stream stays open until the run ends', async () => {
    const id = await launch({ prompt: 'FAKE:sleep:700' });
    const opened = Date.now();
    const live = await events(id);
    expect(Date.now() - opened).toBeGreaterThanOrEqual(300);
    expect(live.map((e) => e.event)).toEqual(['result']);
  });

  it('cancels a running run on DELETE: its processes end and it says cancelled', async () => {
    const marker = `cf-bg-cancel-${process.hrtime.bigint()}`;
    const id = await launch({ prompt: `FAKE:hang:${marker}`, timeout_secs: 600 });
    expect(await eventually(() => processesWith(marker).length > 0)).toBe(true);
    const res = await fetch(`${base}/runs/${id}`, { method: 'DELETE', headers: as(token) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ run_id: id, status: 'cancelled', response: { ok: false, error: { code: 'cancelled' } } });
    expect(await eventually(() => processesWith(marker).length === 0)).toBe(true);
    // An ended run is answered as it is.
    expect(await (await fetch(`${base}/runs/${id}`, { method: 'DELETE', headers: as(token) })).json()).toMatchObject({ status: 'cancelled' });
  });

  it.each([
    [{ stream: true }, 'stream'],
    [{ background: 'yes' }, 'background'],
    [{ model: 'gpt-4o' }, 'model'],
  ])('refuses %j at the door with 400 naming %s, recording nothing', async (extra, field) => {
    const before = ((await (await fetch(`${base}/runs`, { headers: as(token) })).json()) as { items: unknown[] }).items.length;
    const res = await fetch(`${base}/run`, { method: 'POST', headers: as(token), body: JSON.stringify({ prompt: 'hi', background: true, ...extra }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { field: string } }).error.field).toBe(field);
    expect(((await (await fetch(`${base}/runs`, { headers: as(token) })).json()) as { items: unknown[] }).items).toHaveLength(before);
  });

  it('records a run the server stopped under as interrupted, and keeps every finished one, across the restart', async () => {
    const done = await launch({ prompt: 'FAKE:echo' });
    await ended(done);
    const marker = `cf-bg-stop-${process.hrtime.bigint()}`;
    const going = await launch({ prompt: `FAKE:hang:${marker}`, timeout_secs: 600 });
    expect(await eventually(() => processesWith(marker).length > 0)).toBe(true);
    await t.close();
    t = await startTestApp({ RUN_WARM_POOL: '0' }, { dataDir });
    base = await start(t);
    expect((await view(going)).body).toMatchObject({ status: 'interrupted', http_status: 502, response: { ok: false, error: { code: 'interrupted' } } });
    expect((await view(done)).body).toMatchObject({ status: 'succeeded', http_status: 200 });
    expect(processesWith(marker)).toEqual([]);
  });
});
