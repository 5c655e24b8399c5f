import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { AuditService } from '@clawdforge/audit';
import { AgentSession, SessionsService } from '@clawdforge/sessions';
import { SweeperService } from '@clawdforge/sweeper';
import { AcpxDriver } from '@clawdforge/runners';
import { eventually, processesWith } from './support/processes';
import { postSse } from './support/sse-client';
import { ManualClock } from '@clawdforge/core/testing';
import { makeDataDir, startTestApp, TestApp } from './support/test-app';

const ACPX = path.join(__dirname, '..', 'node_modules', '.bin', 'acpx');
const FAKE_AGENT = `${process.execPath} ${path.join(__dirname, 'fixtures', 'fake-acp-agent', 'agent.mjs')}`;


interface Event {
  method?: string;
  params?: { update?: { sessionUpdate?: string; content?: { text?: string } } };
  result?: { stopReason?: string };
}
const texts = (events: Event[]) => events.filter((e) => e.params?.update?.sessionUpdate === 'agent_message_chunk').map((e) => e.params!.update!.content!.text);

/** The real acpx CLI driving a small deterministic ACP agent built on the ACP SDK. */
describe('/sessions (real acpx, fake ACP agent)', () => {
  const dataDir = makeDataDir();
  // alice leaves most of her sessions open as the suite goes, more than the default per-token cap.
  const env = {
    ACPX_BIN: ACPX,
    SESSION_AGENTS: 'fake',
    SESSION_AGENT_COMMANDS: `fake=${FAKE_AGENT}`,
    CLAWDFORGE_SESSION_TTL_SECS: '600',
    CLAWDFORGE_SESSION_HARD_TTL_SECS: '3600',
    SESSIONS_MAX_OPEN_PER_TOKEN: '16',
  };
  const clock = new ManualClock();
  let t: TestApp;
  let alice: string;
  let bob: string;
  const as = (token: string) => ({
    create: (body: object = { agent: 'fake' }) => t.http().post('/sessions').set('Authorization', `Bearer ${token}`).send(body),
    turn: (id: string, body: object) => t.http().post(`/sessions/${id}/turn`).set('Authorization', `Bearer ${token}`).send(body),
    get: (id: string) => t.http().get(`/sessions/${id}`).set('Authorization', `Bearer ${token}`),
    close: (id: string) => t.http().delete(`/sessions/${id}`).set('Authorization', `Bearer ${token}`),
    list: () => t.http().get('/sessions').set('Authorization', `Bearer ${token}`),
  });
  /** The app on a real port (for clients that read or drop the connection themselves). */
  const port = async (): Promise<number> => {
    const server = t.app.getHttpServer();
    if (!server.listening) await t.app.listen(0, '127.0.0.1');
    return (server.address() as AddressInfo).port;
  };
  /** The agent process acpx keeps for a session, as acpx itself reports it. */
  const agentPid = (id: string, cwd: string): number =>
    JSON.parse(execFileSync(ACPX, [`--cwd=${cwd}`, '--format=json', `--agent=${FAKE_AGENT}`, 'sessions', 'show', id], { env: { ...process.env, HOME: t.config.paths.acpxHome } }).toString()).pid;
  /** `acpx prompt` clients of session `id` alive now. */
  const spareClientPids = (id: string) => processesWith(`--session=${id}`).filter((pid) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('\0prompt\0'));
  const alive = (pid: number) => {
    try {
      return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    } catch {
      return false;
    }
  };

  beforeAll(async () => {
    t = await startTestApp(env, { dataDir, clock });
    alice = await t.mintToken('alice');
    bob = await t.mintToken('bob');
  });
  afterAll(async () => {
    for (const token of [alice, bob]) {
      const listed = await as(token).list();
      for (const item of listed.body.items ?? []) if (item.status === 'open') await as(token).close(item.session_id);
    }
    await t.close();
  });

  it('keeps a prompt client waiting for each open session’s next turn, and none once it is closed', async () => {
    const clients = () => t.app.get(AcpxDriver).spareClients;
    const before = clients();
    const id = (await as(bob).create().expect(201)).body.session_id;
    expect(await eventually(() => clients() === before + 1)).toBe(true);
    const pid = spareClientPids(id);
    expect(pid).toHaveLength(1);
    const turn = await as(bob).turn(id, { prompt: 'warm' }).expect(200);
    expect(texts(turn.body.events)).toEqual(['echo: warm (turn 1)']);
    // The waiting client served the turn (and exits after acpx's linger), and a new one waits for the next.
    expect(await eventually(() => !alive(pid[0]))).toBe(true);
    expect(await eventually(() => spareClientPids(id).length === 1 && spareClientPids(id)[0] !== pid[0])).toBe(true);
    expect(texts((await as(bob).turn(id, { prompt: 'again' }).expect(200)).body.events)).toEqual(['echo: again (turn 2)']);
    await as(bob).close(id).expect(200);
    expect(clients()).toBe(before);
    expect(await eventually(() => spareClientPids(id).length === 0)).toBe(true);
  });

  it('runs turns that keep context, returning only what the agent sent', async () => {
    const created = await as(alice).create({ agent: 'fake', model: 'haiku' }).expect(201);
    expect(created.body).toEqual({
      ok: true,
      session_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      agent: 'fake',
      model: 'haiku',
      status: 'open',
      busy: false,
      created_at: expect.any(String),
      last_activity_at: created.body.created_at,
      closed_at: null,
      turn_count: 0,
    });
    const id = created.body.session_id;

    const first = await as(alice).turn(id, { prompt: 'hello' }).expect(200);
    expect(first.body).toMatchObject({ ok: true, session_id: id, turn_index: 1, stop_reason: 'end_turn', duration_ms: expect.any(Number) });
    expect(texts(first.body.events)).toEqual(['echo: hello (turn 1)']);
    const methods = (first.body.events as Event[]).map((e) => e.method).filter(Boolean);
    expect(methods).not.toEqual(expect.arrayContaining(['initialize']));
    expect(methods.some((m) => m === 'session/prompt' || m === 'session/load' || m === 'session/new')).toBe(false);
    expect((first.body.events as Event[]).at(-1)?.result).toMatchObject({ stopReason: 'end_turn' });

    const second = await as(alice).turn(id, { prompt: 'again' }).expect(200);
    expect(second.body.turn_index).toBe(2);
    expect(texts(second.body.events)).toEqual(['echo: again (turn 2)']);

    const model = await as(alice).turn(id, { prompt: 'model?' }).expect(200);
    expect(texts(model.body.events)).toEqual(['model: haiku']);

    const state = await as(alice).get(id).expect(200);
    expect(state.body).toMatchObject({ status: 'open', busy: false, turn_count: 3 });

    await t.app.get(AuditService).flush();
    const audit = await t.admin('get', '/admin/audit').query({ route: '/sessions/:id/turn', limit: '2' }).expect(200);
    expect(audit.body.items[1]).toMatchObject({ token_name: 'alice', session_id: id, turn_index: 2, prompt_chars: 5, response_chars: 'echo: again (turn 2)'.length, model: 'haiku', status: 200 });
  });

  it('allows one turn at a time: a second concurrent turn is 409 session_busy', async () => {
    const id = (await as(alice).create().expect(201)).body.session_id;
    const slow = as(alice).turn(id, { prompt: 'sleep:2500' }).then((r) => r);
    await eventually(() => false, 1200);
    expect((await as(alice).get(id)).body.busy).toBe(true);
    const refused = await as(alice).turn(id, { prompt: 'hi' }).expect(409);
    expect(refused.body.error.code).toBe('session_busy');
    expect(texts((await slow).body.events)).toEqual(['slept (turn 1)']);
    expect((await as(alice).get(id)).body.busy).toBe(false);
  });

  it('keeps sessions per token: another token gets 404 everywhere, and never sees them listed', async () => {
    const id = (await as(alice).create().expect(201)).body.session_id;
    for (const res of [await as(bob).get(id), await as(bob).turn(id, { prompt: 'x' }), await as(bob).close(id)]) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('session_not_found');
    }
    const bobs = await as(bob).list().expect(200);
    expect(bobs.body.items.map((i: { session_id: string }) => i.session_id)).not.toContain(id);
    expect((await as(alice).list().expect(200)).body.items.map((i: { session_id: string }) => i.session_id)).toContain(id);
    await as(alice).get('not-a-uuid').expect(404);
  });

  it('cancels a turn past timeout_secs with 504, leaving the session usable', async () => {
    const id = (await as(alice).create().expect(201)).body.session_id;
    const res = await as(alice).turn(id, { prompt: 'sleep:60000', timeout_secs: 2 }).expect(504);
    expect(res.body.error.code).toBe('timeout');
    const next = await as(alice).turn(id, { prompt: 'after' }).expect(200);
    // The agent counts the cancelled turn only if acpx had handed it over before the 2 s ran out.
    expect(texts(next.body.events)).toEqual([expect.stringMatching(/^echo: after \(turn [12]\)$/)]);
  });

  it('cancels the agent’s turn when the client disconnects, freeing the session at once', async () => {
    const id = (await as(alice).create().expect(201)).body.session_id;
    const req = http.request({ host: '127.0.0.1', port: await port(), path: `/sessions/${id}/turn`, method: 'POST', headers: { Authorization: `Bearer ${alice}`, 'Content-Type': 'application/json' } });
    req.on('error', () => undefined);
    req.end(JSON.stringify({ prompt: 'sleep:60000' }));
    // Disconnect only once the agent has the prompt (it records the turn first), however busy the machine.
    expect(await eventually(() => fs.existsSync(path.join(t.config.paths.sessionsCwd, id, '.fake-agent-state.json')), 20_000)).toBe(true);
    req.destroy();
    expect(await eventually(() => !t.app.get(SessionsService).isBusy({ id } as AgentSession), 10_000)).toBe(true);

    // Had the agent not been cancelled, this turn would queue behind a 60 s one.
    const started = Date.now();
    const next = await as(alice).turn(id, { prompt: 'next' }).expect(200);
    expect(texts(next.body.events)).toEqual(['echo: next (turn 2)']);
    expect(Date.now() - started).toBeLessThan(15_000);
    await t.app.get(AuditService).flush();
    const audit = await t.admin('get', '/admin/audit').query({ route: '/sessions/:id/turn', limit: '2' }).expect(200);
    expect(audit.body.items[1]).toMatchObject({ session_id: id, error_code: 'cancelled', status: 499 });
  });

  it('answers an agent failure with 502 agent_failed, and refuses permission requests under approve-reads as a normal turn', async () => {
    const id = (await as(alice).create().expect(201)).body.session_id;
    const failed = await as(alice).turn(id, { prompt: 'fail' }).expect(502);
    expect(failed.body.error.code).toBe('agent_failed');
    expect(failed.body.error.message).toMatch(/^the agent failed \(acpx exit 1\)/);

    const read = await as(alice).turn(id, { prompt: 'read:notes.txt' }).expect(200);
    const kinds = (read.body.events as Event[]).map((e) => e.method ?? Object.keys(e.result ?? {}).join());
    expect(kinds).toEqual(expect.arrayContaining(['session/request_permission', 'outcome']));
    // Under approve-reads acpx refuses every request: what an agent may read it reads without asking.
    expect(texts(read.body.events)).toEqual(['permission: reject (turn 2)']);
    expect(read.body.tools_refused).toBe(1);
  });

  it('streams a turn: each agent message as acpx prints it, then the result', async () => {
    const id = (await as(alice).create().expect(201)).body.session_id;
    const res = await postSse(`http://127.0.0.1:${await port()}/sessions/${id}/turn`, alice, { prompt: 'chunks:4' });
    expect(res.status).toBe(200);
    const names = res.events.map((e) => e.event);
    expect(names.at(-1)).toBe('result');
    expect(names.slice(0, -1).every((n) => n === 'acp')).toBe(true);
    const streamed = res.events.filter((e) => e.event === 'acp').map((e) => e.data as Event);
    expect(texts(streamed)).toEqual(['part 1', 'part 2', 'part 3', 'part 4']);
    const result = res.events.at(-1)!.data as { events: Event[]; turn_index: number };
    expect(result).toMatchObject({ ok: true, session_id: id, turn_index: 1, stop_reason: 'end_turn' });
    expect(result.events).toEqual(streamed);
    const firstPart = res.events.find((e) => e.event === 'acp' && texts([e.data as Event]).length > 0)!;
    expect(res.events.at(-1)!.at - firstPart.at).toBeGreaterThanOrEqual(800);
  });

  it('closes softly and idempotently: the agent process ends, the directory goes, turns are refused', async () => {
    const created = await as(alice).create().expect(201);
    const id = created.body.session_id;
    await as(alice).turn(id, { prompt: 'hi' }).expect(200);
    const cwd = path.join(t.config.paths.sessionsCwd, id);
    const pid = agentPid(id, cwd);
    expect(alive(pid)).toBe(true);

    const closed = await as(alice).close(id).expect(200);
    expect(closed.body).toMatchObject({ status: 'closed', closed_at: expect.any(String) });
    expect(fs.existsSync(cwd)).toBe(false);
    expect(await eventually(() => !alive(pid))).toBe(true);
    expect((await as(alice).close(id).expect(200)).body.closed_at).toBe(closed.body.closed_at);
    expect((await as(alice).turn(id, { prompt: 'hi' }).expect(409)).body.error.code).toBe('session_closed');
  });

  it('sweeps idle sessions closed, then drops them from the ledger after the hard TTL', async () => {
    // Every earlier session is idle by now too, and closing each goes through acpx: seconds apiece on a busy machine.
    const id = (await as(alice).create().expect(201)).body.session_id;
    clock.advance(601);
    const first = await t.app.get(SweeperService).sweep();
    expect(first.idleSessionsClosed).toBeGreaterThanOrEqual(1);
    expect((await as(alice).get(id).expect(200)).body.status).toBe('closed');
    clock.advance(3601);
    const second = await t.app.get(SweeperService).sweep();
    expect(second.closedSessionsDeleted).toBeGreaterThanOrEqual(1);
    await as(alice).get(id).expect(404);
  }, 90_000);

  it.each([
    [{ agent: 'claude' }, 'agent'],
    [{ agent: 'fake', model: '--dangerously-skip-permissions' }, 'model'],
    [{ agent: 'fake', extra: 1 }, 'extra'],
  ])('400s %j naming %s', async (body, field) => {
    expect((await as(alice).create(body).expect(400)).body.error.field).toBe(field);
  });

  it('keeps open sessions usable across a server restart', async () => {
    const id = (await as(alice).create().expect(201)).body.session_id;
    await as(alice).turn(id, { prompt: 'before' }).expect(200);
    await t.close();
    t = await startTestApp(env, { dataDir, clock });
    const after = await as(alice).turn(id, { prompt: 'after' }).expect(200);
    expect(after.body.turn_index).toBe(2);
    expect(texts(after.body.events)).toEqual(['echo: after (turn 2)']);
  });
});
