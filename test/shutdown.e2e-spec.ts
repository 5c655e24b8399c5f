import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { Logger } from '@nestjs/common';
import { shutdownGracefully } from '../apps/server/src/graceful-shutdown';
import { descendantsOf, eventually, processesWith } from './support/processes';
import { makeDataDir, startTestApp, TestApp } from './support/test-app';
import { RunQueue } from '@clawdforge/run';
import { ProbeController } from './support/probe.controller';

function post(port: number, path: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = { Authorization: `Bearer ${token}` };
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', agent: false, headers }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** POSTs JSON on a connection of its own; resolves `"<status> <body>"`, or `"cut: <why>"` when the connection is dropped. */
function postJson(port: number, path: string, token: string, body: object): Promise<string> {
  return new Promise((resolve) => {
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', agent: false, headers }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve(`${res.statusCode} ${text}`));
    });
    req.on('error', (error) => resolve(`cut: ${error.message}`));
    req.end(JSON.stringify(body));
  });
}

async function listening(t: TestApp): Promise<number> {
  await t.app.listen(0, '127.0.0.1');
  return (t.app.getHttpServer().address() as AddressInfo).port;
}

const quiet = new Logger('test');
quiet.warn = () => undefined;

describe('graceful shutdown', () => {
  it('lets in-flight requests finish, refuses new ones, and keeps their audit rows', async () => {
    const dataDir = makeDataDir();
    const t = await startTestApp({}, { dataDir, controllers: [ProbeController] });
    const token = await t.mintToken('patient');
    const port = await listening(t);
    const inFlight = post(port, '/test-probe/slow?ms=700', token);
    await new Promise((resolve) => setTimeout(resolve, 150));

    const stopping = shutdownGracefully(t.app, 5000, quiet);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(post(port, '/test-probe/slow?ms=1', token)).rejects.toThrow(/ECONNREFUSED/);

    const answered = await inFlight;
    expect(answered).toEqual({ status: 200, body: JSON.stringify({ ok: true, slept_ms: 700 }) });
    await stopping;

    const reopened = await startTestApp({}, { dataDir });
    try {
      const rows = await reopened.admin('get', '/admin/audit').query({ route: '/test-probe/slow' }).expect(200);
      expect(rows.body.items).toHaveLength(1);
    } finally {
      await reopened.close();
    }
  });

  it('cuts requests still running when the grace runs out', async () => {
    const t = await startTestApp({}, { controllers: [ProbeController] });
    const token = await t.mintToken('slowpoke');
    const port = await listening(t);
    const inFlight = new Promise<string>((resolve) => {
      const req = http.request(
        { host: '127.0.0.1', port, path: '/test-probe/slow?ms=5000', method: 'POST', agent: false, headers: { Authorization: `Bearer ${token}` } },
        (res) => res.resume().on('end', () => resolve(`answered ${res.statusCode}`)),
      );
      req.on('error', (error) => resolve(`cut: ${error.message}`));
      req.end();
    });
    await new Promise((resolve) => setTimeout(resolve, 150));

    const started = Date.now();
    await shutdownGracefully(t.app, 300, quiet);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await inFlight).toMatch(/^cut: /);
  });
});

describe('graceful shutdown with runs in flight', () => {
  it('stops a run still going when the grace runs out, leaving no process and an audit row', async () => {
    const dataDir = makeDataDir();
    const t = await startTestApp({}, { dataDir });
    const token = await t.mintToken('runner');
    const port = await listening(t);
    const marker = `cf-shutdown-${process.hrtime.bigint()}`;
    const answer = postJson(port, '/run', token, { prompt: `FAKE:hang:${marker}`, timeout_secs: 60 });
    expect(await eventually(() => processesWith(marker).length > 0)).toBe(true);

    await shutdownGracefully(t.app, 300, quiet);
    expect(processesWith(marker)).toEqual([]);
    expect(descendantsOf(process.pid)).toEqual([]);
    expect(await answer).toMatch(/^503 .*shutting_down|^cut: /);

    const reopened = await startTestApp({}, { dataDir });
    try {
      const rows = await reopened.admin('get', '/admin/audit').query({ route: '/run' }).expect(200);
      expect(rows.body.items).toHaveLength(1);
      expect(rows.body.items[0]).toMatchObject({ token_name: 'runner', error_code: 'shutting_down' });
    } finally {
      await reopened.close();
    }
  });

  it('answers or refuses all of 20 runs in flight, leaves no process, and writes all 20 audit rows', async () => {
    const dataDir = makeDataDir();
    const t = await startTestApp({ MAX_CONCURRENT_RUNS: '8', RUN_QUEUE_MAX: '64', RUN_QUEUE_MAX_PER_TOKEN: '64' }, { dataDir });
    const token = await t.mintToken('crowd');
    const port = await listening(t);
    const marker = `cf-crowd-${process.hrtime.bigint()}`;
    // All hang until the grace runs out: 8 hold the run slots, 12 wait in the queue.
    const answers = Array.from({ length: 20 }, (_, i) => postJson(port, '/run', token, { prompt: `FAKE:hang:${marker}-${i}`, timeout_secs: 60 }));
    const queue = t.app.get(RunQueue);
    expect(await eventually(() => queue.running === 8 && queue.waiting === 12 && processesWith(marker).length === 8, 20_000)).toBe(true);
    await shutdownGracefully(t.app, 500, quiet);
    const settled = await Promise.all(answers);
    expect(settled.every((answer) => /^200 |^503 .*shutting_down|^cut: /.test(answer))).toBe(true);
    expect(processesWith(marker)).toEqual([]);
    expect(descendantsOf(process.pid)).toEqual([]);
    const reopened = await startTestApp({}, { dataDir });
    try {
      const rows = await reopened.admin('get', '/admin/audit').query({ route: '/run', limit: '100' }).expect(200);
      expect(rows.body.items).toHaveLength(20);
    } finally {
      await reopened.close();
    }
  }, 60_000);
});

describe('graceful shutdown with a session turn in flight (real acpx, fake ACP agent)', () => {
  const ACPX = path.join(__dirname, '..', 'node_modules', '.bin', 'acpx');
  const FAKE_AGENT = `${process.execPath} ${path.join(__dirname, 'fixtures', 'fake-acp-agent', 'agent.mjs')}`;
  const env = { ACPX_BIN: ACPX, SESSION_AGENTS: 'fake', SESSION_AGENT_COMMANDS: `fake=${FAKE_AGENT}` };

  it('cancels the agent’s turn with acpx cancel, answers 503 shutting_down, and the next server finds the session idle', async () => {
    const dataDir = makeDataDir();
    const t = await startTestApp(env, { dataDir });
    const token = await t.mintToken('agentic');
    const id = (await t.http().post('/sessions').set('Authorization', `Bearer ${token}`).send({ agent: 'fake' }).expect(201)).body.session_id as string;
    const cancels = path.join(t.config.paths.sessionsCwd, id, '.fake-agent-cancels');
    const port = await listening(t);
    const answer = postJson(port, `/sessions/${id}/turn`, token, { prompt: 'sleep:60000' });
    // acpx takes a second or more to hand the prompt to the agent, which records the turn first.
    expect(await eventually(() => fs.existsSync(path.join(t.config.paths.sessionsCwd, id, '.fake-agent-state.json')), 20_000)).toBe(true);
    expect(fs.existsSync(cancels)).toBe(false);

    const started = Date.now();
    await shutdownGracefully(t.app, 300, quiet);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(fs.readFileSync(cancels, 'utf8')).toMatch(/\S/);
    expect(await answer).toMatch(/^503 .*shutting_down/);
    expect(descendantsOf(process.pid)).toEqual([]);

    const next = await startTestApp(env, { dataDir });
    try {
      const state = await next.http().get(`/sessions/${id}`).set('Authorization', `Bearer ${token}`).expect(200);
      expect(state.body).toMatchObject({ status: 'open', busy: false });
      // Had the agent kept sleeping, this turn would queue behind the 60 s one.
      const turn = await next.http().post(`/sessions/${id}/turn`).set('Authorization', `Bearer ${token}`).send({ prompt: 'after' }).expect(200);
      expect(turn.body.stop_reason).toBe('end_turn');
      await next.http().delete(`/sessions/${id}`).set('Authorization', `Bearer ${token}`).expect(200);
      const rows = await next.admin('get', '/admin/audit').query({ route: '/sessions/:id/turn' }).expect(200);
      expect(rows.body.items.at(-1)).toMatchObject({ session_id: id, status: 503, error_code: 'shutting_down' });
    } finally {
      await next.close();
    }
  }, 60_000);
});
