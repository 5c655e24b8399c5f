import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { assertBuilt, NpmServer, startNpmServer } from './support/built-server';
import { Postgres, startPostgres } from './support/postgres';
import { parseRawAnswer, rawRequest } from './support/raw-http';
import { postSse } from './support/sse-client';
import { ADMIN_TOKEN, FAKE_CLI_DIR, makeDataDir } from './support/test-env';

/**
 * Two instances (npm start, each its own DATA_DIR) on one PostgreSQL and one FILES_DIR, driven
 * alternately as a plain load balancer would: one service from outside.
 */
describe('two instances on one PostgreSQL (npm start)', () => {
  let pg: Postgres;
  let a: NpmServer;
  let b: NpmServer;
  let token: string;
  const admin = { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' };
  const as = (bearer: string) => ({ Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' });
  const end = JSON.stringify({ jsonrpc: '2.0', id: 3, result: { stopReason: 'end_turn' } });
  const said = (text: string) => JSON.stringify({ jsonrpc: '2.0', method: 'session/update', params: { update: { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text } } } });

  beforeAll(async () => {
    assertBuilt();
    pg = await startPostgres();
    const shared = {
      DATABASE_URL: await pg.freshDatabase(),
      FILES_DIR: path.join(makeDataDir(), 'files'),
      ACPX_BIN: path.join(FAKE_CLI_DIR, 'acpx'),
      MAX_CONCURRENT_RUNS_GLOBAL: '1',
      RUN_WARM_POOL: '0',
    };
    [a, b] = await Promise.all([startNpmServer(shared), startNpmServer(shared)]);
    const minted = await fetch(`${a.base}/admin/tokens`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'alternating' }) });
    token = ((await minted.json()) as { token: string }).token;
  }, 90_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    pg?.stop();
  });

  it('answers a session’s turns, streamed or not, and its close on either instance: the other forwards them to the owner', async () => {
    const created = await fetch(`${a.base}/sessions`, { method: 'POST', headers: as(token), body: '{}' });
    expect(created.status).toBe(201);
    const id = ((await created.json()) as { session_id: string }).session_id;

    const viaB = await fetch(`${b.base}/sessions/${id}/turn`, { method: 'POST', headers: as(token), body: JSON.stringify({ prompt: `${said('forwarded')}\n${end}` }) });
    expect(viaB.status).toBe(200);
    const turn = (await viaB.json()) as { turn_index: number; events: unknown[] };
    expect(turn.turn_index).toBe(1);
    expect(JSON.stringify(turn.events)).toContain('forwarded');

    const streamed = await postSse(`${b.base}/sessions/${id}/turn`, token, { prompt: `${said('streamed through')}\n${end}` });
    expect(streamed.status).toBe(200);
    expect(streamed.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(streamed.events.map((event) => event.event)).toEqual(expect.arrayContaining(['acp', 'result']));
    expect(JSON.stringify(streamed.events)).toContain('streamed through');

    const viaA = await fetch(`${a.base}/sessions/${id}/turn`, { method: 'POST', headers: as(token), body: JSON.stringify({ prompt: end }) });
    expect(((await viaA.json()) as { turn_index: number }).turn_index).toBe(3);

    const closed = await fetch(`${b.base}/sessions/${id}`, { method: 'DELETE', headers: as(token) });
    expect(closed.status).toBe(200);
    expect(((await closed.json()) as { status: string }).status).toBe('closed');

    // One audit row per turn, written by the owner with the client's address; none by the forwarder.
    type Row = { route: string; status: number; client_ip: string; turn_index: number | null };
    let rows: Row[] = [];
    for (let tries = 0; tries < 50; tries++) {
      rows = ((await (await fetch(`${b.base}/admin/audit?token=alternating&limit=50`, { headers: admin })).json()) as { items: Row[] }).items;
      if (rows.filter((row) => row.route.startsWith('/sessions/')).length >= 4) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const turns = rows.filter((row) => row.route === '/sessions/:id/turn');
    expect(turns.map((row) => [row.turn_index, row.status, row.client_ip]).sort()).toEqual([
      [1, 200, '127.0.0.1'],
      [2, 200, '127.0.0.1'],
      [3, 200, '127.0.0.1'],
    ]);
    expect(rows.filter((row) => row.route === '/sessions/:id' && row.status === 200)).toHaveLength(1);
  });

  it('forwards only to the owner’s registered URL: a request target naming another host is refused, and that host hears nothing', async () => {
    const heard: { method?: string; url?: string; authorization?: string }[] = [];
    const elsewhere = http.createServer((req, res) => {
      heard.push({ method: req.method, url: req.url, authorization: req.headers.authorization });
      res.end('{"ok":true,"from":"elsewhere"}');
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    const elsewherePort = (elsewhere.address() as AddressInfo).port;
    try {
      const created = await fetch(`${a.base}/sessions`, { method: 'POST', headers: as(token), body: '{}' });
      const id = ((await created.json()) as { session_id: string }).session_id;
      const body = JSON.stringify({ prompt: end });
      for (const [method, target] of [
        ['POST', `http://127.0.0.1:${elsewherePort}/sessions/${id}/turn`],
        ['POST', `HTTP://127.0.0.1:${elsewherePort}/sessions/${id}/turn`],
        ['DELETE', `http://127.0.0.1:${elsewherePort}/sessions/${id}`],
      ]) {
        const request = [
          `${method} ${target} HTTP/1.1`,
          `Host: 127.0.0.1:${b.port}`,
          `Authorization: Bearer ${token}`,
          'Content-Type: application/json',
          `Content-Length: ${method === 'POST' ? Buffer.byteLength(body) : 0}`,
          'Connection: close',
          '',
          method === 'POST' ? body : '',
        ].join('\r\n');
        const answer = parseRawAnswer(await rawRequest(b.port, request));
        expect({ target, status: answer.status, body: answer.body }).toMatchObject({ target, status: 400, body: { ok: false, error: { code: 'invalid_request' } } });
      }
      expect(heard).toEqual([]);
      // The session is untouched: still open, no turn taken, and B still forwards a proper request to A.
      const viaB = await fetch(`${b.base}/sessions/${id}/turn`, { method: 'POST', headers: as(token), body });
      expect(viaB.status).toBe(200);
      expect(((await viaB.json()) as { turn_index: number }).turn_index).toBe(1);
    } finally {
      elsewhere.close();
    }
  });

  it('ignores forwarding headers a client made up: its own address still decides', async () => {
    const minted = await fetch(`${a.base}/admin/tokens`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'pinned', ip_cidrs: ['10.1.2.3/32'] }) });
    expect(minted.status).toBe(201);
    const pinned = ((await minted.json()) as { token: string }).token;
    const forged = {
      ...as(pinned),
      'x-clawdforge-forwarded-for': '10.1.2.3',
      'x-clawdforge-forwarded-at': String(Date.now()),
      'x-clawdforge-forwarded-by': 'someone',
      'x-clawdforge-forward-signature': 'ab'.repeat(32),
    };
    const res = await fetch(`${b.base}/sessions`, { headers: forged });
    // Trusted, the made-up address would let the token in (200); from the wrong address a token
    // answers as a bogus one does.
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_token');
  });

  it('bounds runs across both instances with MAX_CONCURRENT_RUNS_GLOBAL (a run on one waits for the run on the other), and counts them in one ledger', async () => {
    const run = (base: string, prompt: string) =>
      fetch(`${base}/run`, { method: 'POST', headers: as(token), body: JSON.stringify({ prompt }) }).then(async (res) => ({ status: res.status, body: (await res.json()) as { queue_ms: number } }));
    const slow = run(a.base, 'FAKE:sleep:1500');
    await new Promise((resolve) => setTimeout(resolve, 400));
    const waiting = await run(b.base, 'after');
    expect(waiting.status).toBe(200);
    expect(waiting.body.queue_ms).toBeGreaterThanOrEqual(600);
    expect((await slow).status).toBe(200);
    // Free again: no wait.
    expect((await run(b.base, 'alone')).body.queue_ms).toBeLessThan(300);
    // One ledger: both instances count the three runs (the budgets read the same sums).
    for (const base of [a.base, b.base]) {
      const usage = (await (await fetch(`${base}/usage`, { headers: as(token) })).json()) as { today: { runs: number } };
      expect(usage.today.runs).toBe(3);
    }
  });

  it('honours an Idempotency-Key used on one instance on the other, waiting there for a run still going', async () => {
    const keyed = (base: string, key: string) =>
      fetch(`${base}/run`, { method: 'POST', headers: { ...as(token), 'Idempotency-Key': key }, body: JSON.stringify({ prompt: 'FAKE:sleep:800' }) });
    const first = keyed(a.base, 'across-instances');
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Still running on A: B waits for its answer (polling the database), and runs nothing itself.
    const retry = await keyed(b.base, 'across-instances');
    const original = await first;
    expect([original.status, retry.status, retry.headers.get('idempotent-replayed')]).toEqual([200, 200, 'true']);
    expect(await retry.text()).toBe(await original.text());
    const done = await keyed(b.base, 'across-instances');
    expect(done.headers.get('idempotent-replayed')).toBe('true');
  });

  it('serves a background run started on one instance from the other: its state, its events, and DELETE forwarded to it', async () => {
    const launched = await fetch(`${a.base}/run`, { method: 'POST', headers: as(token), body: JSON.stringify({ prompt: 'tell me', background: true }) });
    const { run_id: id } = (await launched.json()) as { run_id: string };
    // From B, read from the database as A writes it: the stream ends with the run.
    const stream = await (await fetch(`${b.base}/runs/${id}/events`, { headers: as(token) })).text();
    expect([...stream.matchAll(/^event: (\w+)$/gm)].map((m) => m[1])).toEqual(['delta', 'delta', 'result']);
    expect(await (await fetch(`${b.base}/runs/${id}`, { headers: as(token) })).json()).toMatchObject({ status: 'succeeded', http_status: 200, response: { result: 'You said: tell me' } });

    const hanging = await fetch(`${a.base}/run`, { method: 'POST', headers: as(token), body: JSON.stringify({ prompt: 'FAKE:hang:cf-across', timeout_secs: 600, background: true }) });
    const { run_id: hangingId } = (await hanging.json()) as { run_id: string };
    await new Promise((resolve) => setTimeout(resolve, 300));
    const cancelled = await fetch(`${b.base}/runs/${hangingId}`, { method: 'DELETE', headers: as(token) });
    expect(cancelled.status).toBe(200);
    expect(await cancelled.json()).toMatchObject({ run_id: hangingId, status: 'cancelled' });
  });

  it('answers 503 instance_unavailable with Retry-After for a session whose instance is gone', async () => {
    const created = await fetch(`${a.base}/sessions`, { method: 'POST', headers: as(token), body: '{}' });
    const id = ((await created.json()) as { session_id: string }).session_id;
    await a.stop();
    const res = await fetch(`${b.base}/sessions/${id}/turn`, { method: 'POST', headers: as(token), body: JSON.stringify({ prompt: end }) });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('instance_unavailable');
    // Still readable anywhere.
    expect((await fetch(`${b.base}/sessions/${id}`, { headers: as(token) })).status).toBe(200);
  });
});
