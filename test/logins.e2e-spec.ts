import * as fs from 'node:fs';
import * as path from 'node:path';
import { RecordedRequest } from './fixtures/fake-model-api/fake-model-api';
import { FakeModelEnv, useFakeModelApi } from './support/fake-model-env';
import { ManualClock } from '@clawdforge/core/testing';
import { eventually, processesWith } from './support/processes';
import { FAKE_CLI_DIR, makeDataDir, startTestApp, TestApp } from './support/test-app';

/**
 * Two Claude logins (CLAUDE_CONFIG_DIRS), fake claude at the process boundary: a `fake-limit` file
 * in a login's directory makes its runs hit that login's limit, as the real CLI reports it.
 */
describe('a pool of Claude logins (fake claude)', () => {
  const home = makeDataDir();
  const dirs = { first: path.join(home, 'first'), second: path.join(home, 'second') };
  const clock = new ManualClock(Date.parse('2026-11-26T12:00:00Z'));
  let t: TestApp;
  let token: string;
  const run = (prompt = 'FAKE:echo') => t.http().post('/run').set('Authorization', `Bearer ${token}`).send({ prompt });
  const loginOf = (body: { result: { env: Record<string, string> } }) => body.result.env.CLAUDE_SECURESTORAGE_CONFIG_DIR;
  const limit = (dir: string, said: string | null) => (said === null ? fs.rmSync(path.join(dir, 'fake-limit'), { force: true }) : fs.writeFileSync(path.join(dir, 'fake-limit'), said));
  const health = async () => (await t.http().get('/healthz').expect(200)).body;

  const savedKey = process.env.ANTHROPIC_API_KEY;
  beforeAll(async () => {
    // The fake CLI's `auth status` says logged in when it has an API key.
    process.env.ANTHROPIC_API_KEY = 'sk-ant-test';
    for (const dir of Object.values(dirs)) fs.mkdirSync(dir, { recursive: true });
    t = await startTestApp({ CLAUDE_CONFIG_DIRS: `first=${dirs.first},second=${dirs.second}`, ACPX_BIN: path.join(FAKE_CLI_DIR, 'acpx') }, { clock });
    token = await t.mintToken('spread');
  });
  afterAll(async () => {
    await t.close();
    if (savedKey === undefined) delete process.env.ANTHROPIC_API_KEY;
    else process.env.ANTHROPIC_API_KEY = savedKey;
  });

  it('runs on the first login while both are free, and shows both by label without their directories', async () => {
    expect(loginOf((await run().expect(200)).body)).toBe(dirs.first);
    const body = await health();
    expect(body.claude_logins).toEqual([
      { index: 0, label: 'first', logged_in: true, runs_in_flight: 0, cooling_until: null },
      { index: 1, label: 'second', logged_in: true, runs_in_flight: 0, cooling_until: null },
    ]);
    expect(JSON.stringify(body)).not.toContain(home);
  });

  it('moves a run that hit a rate limit (429) to the other login at once, and cools the first', async () => {
    limit(dirs.first, '429');
    const res = await run().expect(200);
    expect(loginOf(res.body)).toBe(dirs.second);
    expect((await health()).claude_logins[0].cooling_until).toBe('2026-11-26T12:01:00.000Z');
    // While it cools, runs go to the second login without trying the first.
    limit(dirs.first, null);
    expect(loginOf((await run().expect(200)).body)).toBe(dirs.second);
    clock.advance(61);
    expect((await health()).claude_logins[0].cooling_until).toBeNull();
    expect(loginOf((await run().expect(200)).body)).toBe(dirs.first);
  });

  it('cools a login until the reset time of the CLI’s usage-limit message', async () => {
    const reset = Math.floor(clock.now().getTime() / 1000) + 3600;
    limit(dirs.first, `Claude AI usage limit reached|${reset}`);
    expect(loginOf((await run().expect(200)).body)).toBe(dirs.second);
    expect((await health()).claude_logins[0].cooling_until).toBe(new Date(reset * 1000).toISOString());
    limit(dirs.first, null);
    clock.advance(3601);
  });

  it('gives a new session a login not cooling, and keeps it there for the session’s life', async () => {
    /** The login directory (CLAUDE_SECURESTORAGE_CONFIG_DIR) of the session's acpx prompt client waiting for its next turn. */
    const loginOfSession = (id: string) => {
      const [pid] = processesWith(`--session=${id}`);
      return fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').find((entry) => entry.startsWith('CLAUDE_SECURESTORAGE_CONFIG_DIR='))?.split('=')[1];
    };
    const session = (body: object = {}) => t.http().post('/sessions').set('Authorization', `Bearer ${token}`).send(body);
    limit(dirs.first, '429');
    await run().expect(200);
    limit(dirs.first, null);
    const id = (await session().expect(201)).body.session_id;
    expect(await eventually(() => processesWith(`--session=${id}`).length === 1)).toBe(true);
    expect(loginOfSession(id)).toBe(dirs.second);
    // The first login is back; the session stays where its conversation is.
    const coolingUntil = Date.parse((await health()).claude_logins[0].cooling_until);
    clock.advance((coolingUntil - clock.now().getTime()) / 1000 + 1);
    expect((await health()).claude_logins[0].cooling_until).toBeNull();
    await t.http().post(`/sessions/${id}/turn`).set('Authorization', `Bearer ${token}`).send({ prompt: JSON.stringify({ jsonrpc: '2.0', id: 3, result: { stopReason: 'end_turn' } }) }).expect(200);
    expect(await eventually(() => processesWith(`--session=${id}`).length === 1)).toBe(true);
    expect(loginOfSession(id)).toBe(dirs.second);
    const other = (await session().expect(201)).body.session_id;
    expect(await eventually(() => processesWith(`--session=${other}`).length === 1)).toBe(true);
    expect(loginOfSession(other)).toBe(dirs.first);
    for (const closing of [id, other]) await t.http().delete(`/sessions/${closing}`).set('Authorization', `Bearer ${token}`).expect(200);
  });

  it('answers 503 upstream_unavailable with Retry-After when every login has hit its limit, and recovers', async () => {
    limit(dirs.first, '429');
    limit(dirs.second, '429');
    const res = await run().expect(503);
    expect(res.body.error.code).toBe('upstream_unavailable');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    // Refused at once now, without starting anything.
    const again = await run().expect(503);
    expect(Number(again.headers['retry-after'])).toBeLessThanOrEqual(Number(res.headers['retry-after']));
    limit(dirs.first, null);
    limit(dirs.second, null);
    clock.advance(Number(again.headers['retry-after']) + 1);
    expect((await run().expect(200)).body.ok).toBe(true);
  });
});

/** The real pinned claude CLI on two logins against the fake Messages API, which tells them apart by the device id each login's directory holds. */
describe('a pool of Claude logins (real claude CLI)', () => {
  const REAL_CLAUDE = path.join(__dirname, '..', 'node_modules', '.bin', 'claude');
  let fake: FakeModelEnv;
  let t: TestApp;
  let token: string;
  const devices = { first: 'a'.repeat(64), second: 'b'.repeat(64) };
  const deviceOf = (request: RecordedRequest) => (JSON.parse(String((request.body?.metadata as { user_id?: string } | undefined)?.user_id ?? '{}')) as { device_id?: string }).device_id;

  beforeAll(async () => {
    fake = await useFakeModelApi();
    const logins = Object.entries(devices).map(([label, device]) => {
      const dir = path.join(fake.home, label);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, '.claude.json'), JSON.stringify({ userID: device }));
      return `${label}=${dir}`;
    });
    t = await startTestApp({ CLAUDE_BIN: REAL_CLAUDE, CLAUDE_CONFIG_DIRS: logins.join(',') });
    token = await t.mintToken('real-spread');
  });
  afterAll(async () => {
    await t.close();
    await fake.restore();
  });

  it('moves a run the API refused with 429 on the first login to the second, before the caller saw anything', async () => {
    fake.api.replyWith((request) =>
      deviceOf(request) === devices.first ? { error: { status: 429, type: 'rate_limit_error', message: 'Number of requests has exceeded your rate limit' } } : { text: 'from the second login' },
    );
    const res = await t.http().post('/run').set('Authorization', `Bearer ${token}`).send({ prompt: 'hi' }).expect(200);
    expect(res.body.result).toBe('from the second login');
    expect(fake.api.messageRequests.map(deviceOf)).toEqual([devices.first, devices.second]);
    const health = await t.http().get('/healthz').expect(200);
    expect(health.body.claude_logins.map((login: { cooling_until: string | null }) => login.cooling_until !== null)).toEqual([true, false]);
  });
});
