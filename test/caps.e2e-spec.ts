import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunQueue } from '@clawdforge/run';
import { eventually, processesWith } from './support/processes';
import { startTestApp, TestApp } from './support/test-app';

const ACPX = path.join(__dirname, '..', 'node_modules', '.bin', 'acpx');
const AGENT_SCRIPT = path.join(__dirname, 'fixtures', 'fake-acp-agent', 'agent.mjs');
const SESSION_ENV = { ACPX_BIN: ACPX, SESSION_AGENTS: 'fake', SESSION_AGENT_COMMANDS: `fake=${process.execPath} ${AGENT_SCRIPT}` };

/**
 * The working directories of the fake agents alive for this app, sorted: other suites run the same
 * script, but never with this app's ACPX_HOME.
 */
/** The working directories of the agent processes this app's acpx runs (not acpx clients naming the agent in their argv). */
function agentDirsOf(t: TestApp): string[] {
  return processesWith(AGENT_SCRIPT)
    .flatMap((pid) => {
      try {
        if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[1] !== AGENT_SCRIPT) return [];
        const env = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
        return env.includes(`HOME=${t.config.paths.acpxHome}`) ? [fs.readlinkSync(`/proc/${pid}/cwd`)] : [];
      } catch {
        return [];
      }
    })
    .sort();
}

describe('RUN_QUEUE_MAX_PER_TOKEN (fake claude)', () => {
  let t: TestApp;
  let appA: string;
  let appB: string;
  const run = (token: string, prompt: string) =>
    t
      .http()
      .post('/run')
      .set('Authorization', `Bearer ${token}`)
      .send({ prompt })
      .then((res) => res);

  beforeAll(async () => {
    t = await startTestApp({ MAX_CONCURRENT_RUNS: '1', RUN_QUEUE_MAX: '3', RUN_QUEUE_MAX_PER_TOKEN: '2' });
    appA = await t.mintToken('app-a');
    appB = await t.mintToken('app-b');
  });
  afterAll(() => t.close());

  it('refuses app A past its own cap while app B still gets a place, and serves both in turn', async () => {
    const queue = t.app.get(RunQueue);
    // When each run got its slot (sent + queue_ms): the order the queue served them in, whatever
    // order a busy machine then delivers their answers in.
    const granted: { label: string; at: number }[] = [];
    const tracked = (label: string, token: string, prompt: string) => {
      const sentAt = performance.now();
      return run(token, prompt).then((res) => {
        granted.push({ label, at: sentAt + Number(res.body.queue_ms ?? 0) });
        return res;
      });
    };

    const running = tracked('a1', appA, 'FAKE:sleep:4000');
    expect(await eventually(() => queue.running === 1)).toBe(true);
    // One at a time: two requests sent together may reach the queue in either order.
    const queuedA = [tracked('a2', appA, 'FAKE:sleep:200')];
    expect(await eventually(() => queue.waiting === 1)).toBe(true);
    queuedA.push(tracked('a3', appA, 'FAKE:sleep:200'));
    expect(await eventually(() => queue.waiting === 2)).toBe(true);

    const refusedA = await run(appA, 'FAKE:sleep:200');
    expect(refusedA.status).toBe(429);
    expect(refusedA.body.error.code).toBe('queue_full');
    expect(refusedA.body.error.message).toContain('RUN_QUEUE_MAX_PER_TOKEN');
    expect(Number(refusedA.headers['retry-after'])).toBeGreaterThanOrEqual(1);

    const queuedB = tracked('b1', appB, 'FAKE:sleep:200');
    expect(await eventually(() => queue.waiting === 3)).toBe(true);
    // Now the queue itself is full, and the refusal says so rather than blaming B.
    const refusedB = await run(appB, 'FAKE:sleep:200');
    expect(refusedB.status).toBe(429);
    expect(refusedB.body.error.message).toContain('RUN_QUEUE_MAX =');
    expect(refusedB.body.error.message).not.toContain('PER_TOKEN');
    expect(queue.running).toBe(1);

    const answers = await Promise.all([running, ...queuedA, queuedB]);
    expect(answers.map((res) => res.status)).toEqual([200, 200, 200, 200]);
    expect(answers[3].body.queue_ms).toBeGreaterThan(0);
    expect(granted.sort((x, y) => x.at - y.at).map((g) => g.label)).toEqual(['a1', 'a2', 'b1', 'a3']);
  });
});

describe('SESSIONS_MAX_OPEN under concurrent creates (real acpx, fake ACP agent)', () => {
  let t: TestApp;
  const tokens: string[] = [];
  const as = (token: string) => ({
    create: () => t.http().post('/sessions').set('Authorization', `Bearer ${token}`).send({ agent: 'fake' }).then((res) => res),
    turn: (id: string) => t.http().post(`/sessions/${id}/turn`).set('Authorization', `Bearer ${token}`).send({ prompt: 'hi' }),
    close: (id: string) => t.http().delete(`/sessions/${id}`).set('Authorization', `Bearer ${token}`),
  });

  beforeAll(async () => {
    t = await startTestApp({ ...SESSION_ENV, SESSIONS_MAX_OPEN: '2', SESSIONS_MAX_OPEN_PER_TOKEN: '4' });
    for (const name of ['app-a', 'app-b', 'app-c']) tokens.push(await t.mintToken(name));
  });
  afterAll(() => t.close());

  it('creates exactly SESSIONS_MAX_OPEN of many concurrent creates; the rest are 429 and leave no agent behind', async () => {
    const owners = [...tokens, ...tokens];
    const answers = await Promise.all(owners.map((token) => as(token).create()));
    const created = answers.flatMap((res, i) => (res.status === 201 ? [{ id: res.body.session_id as string, owner: owners[i] }] : []));
    const refused = answers.filter((res) => res.status === 429);
    expect(created).toHaveLength(2);
    expect(refused).toHaveLength(4);
    for (const res of refused) {
      expect(res.body.error.code).toBe('too_many_sessions');
      expect(res.body.error.message).toContain('(SESSIONS_MAX_OPEN)');
      expect(res.headers['retry-after']).toBe('60');
    }
    const dirs = created.map(({ id }) => path.join(t.config.paths.sessionsCwd, id)).sort();
    expect(fs.readdirSync(t.config.paths.sessionsCwd).map((name) => path.join(t.config.paths.sessionsCwd, name)).sort()).toEqual(dirs);

    // acpx keeps an agent alive from a session's first turn: one each for the two sessions, and no other.
    for (const { id, owner } of created) await as(owner).turn(id).expect(200);
    expect(await eventually(() => agentDirsOf(t).join() === dirs.join(), 10_000)).toBe(true);

    const [gone, kept] = created;
    await as(gone.owner).close(gone.id).expect(200);
    expect(await eventually(() => agentDirsOf(t).join() === path.join(t.config.paths.sessionsCwd, kept.id), 10_000)).toBe(true);
    const replacement = await as(gone.owner).create();
    expect(replacement.status).toBe(201);
    expect((await as(gone.owner).create()).status).toBe(429);
    await as(gone.owner).close(replacement.body.session_id).expect(200);
    await as(kept.owner).close(kept.id).expect(200);
    // A dozen real acpx calls, on a machine that may be busy.
  }, 90_000);
});

describe('SESSIONS_MAX_OPEN_PER_TOKEN (real acpx, fake ACP agent)', () => {
  let t: TestApp;
  let appA: string;
  let appB: string;
  const as = (token: string) => ({
    create: () => t.http().post('/sessions').set('Authorization', `Bearer ${token}`).send({ agent: 'fake' }),
    close: (id: string) => t.http().delete(`/sessions/${id}`).set('Authorization', `Bearer ${token}`),
  });

  beforeAll(async () => {
    t = await startTestApp({ ...SESSION_ENV, SESSIONS_MAX_OPEN: '4', SESSIONS_MAX_OPEN_PER_TOKEN: '2' });
    appA = await t.mintToken('app-a');
    appB = await t.mintToken('app-b');
  });
  afterAll(() => t.close());

  it('refuses a token at its own cap, naming it, while another token still opens sessions', async () => {
    const first = (await as(appA).create().expect(201)).body.session_id;
    await as(appA).create().expect(201);
    const refused = await as(appA).create().expect(429);
    expect(refused.body.error.code).toBe('too_many_sessions');
    expect(refused.body.error.message).toMatch(/^this token has 2 sessions open \(SESSIONS_MAX_OPEN_PER_TOKEN\)/);
    expect(refused.headers['retry-after']).toBe('60');

    await as(appB).create().expect(201);
    await as(appA).close(first).expect(200);
    await as(appA).create().expect(201);
  });
});
