import * as fs from 'node:fs';
import * as path from 'node:path';
import { FakeModelEnv, useFakeModelApi } from './support/fake-model-env';
import { realClis } from './support/real-clis';
import { startTestApp, TestApp } from './support/test-app';

/** Every file under `dir` (relative paths), sorted; none when it does not exist. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((entry) => fs.statSync(path.join(dir, entry)).isFile()).sort();
}

/** All text of the files under `dir`. */
function textUnder(dir: string): string {
  return filesUnder(dir)
    .map((entry) => fs.readFileSync(path.join(dir, entry), 'utf8'))
    .join('\n');
}

/**
 * Each run and each session keeps Claude Code's state (transcripts, settings, caches) in a directory
 * of its own; the login's directory is only where the credentials are read (and refreshed). The
 * whole real chain: the server, acpx, the Claude ACP adapter and the pinned claude, on a fake
 * Messages API.
 */
describe('Claude state per run and per session, the login directory only a credential store', () => {
  let fake: FakeModelEnv;
  let login: string;
  let t: TestApp;
  const sessionsState = () => path.join(t.dataDir, 'claude-state', 'sessions');

  beforeAll(async () => {
    fake = await useFakeModelApi();
    login = process.env.CLAUDE_CONFIG_DIR!;
    fs.mkdirSync(login, { recursive: true });
    t = await startTestApp({ ...realClis(), RUN_WARM_POOL: '0' });
  }, 60_000);
  afterAll(async () => {
    await t.close();
    await fake.restore();
  });

  it('keeps two apps’ sessions apart: each transcript in its own session’s state, none in the login’s directory, gone at close', async () => {
    const alice = await t.mintToken('alice-app');
    const bob = await t.mintToken('bob-app');
    const open = async (token: string) => (await t.http().post('/sessions').set('Authorization', `Bearer ${token}`).send({ agent: 'claude' }).expect(201)).body.session_id as string;
    const [a, b] = await Promise.all([open(alice), open(bob)]);
    try {
      fake.api.replyWith('noted');
      await t.http().post(`/sessions/${a}/turn`).set('Authorization', `Bearer ${alice}`).send({ prompt: 'alice-secret-4711 is my password' }).expect(200);
      await t.http().post(`/sessions/${b}/turn`).set('Authorization', `Bearer ${bob}`).send({ prompt: 'what did the other apps say?' }).expect(200);

      const aliceState = path.join(sessionsState(), a);
      const bobState = path.join(sessionsState(), b);
      expect(filesUnder(aliceState).some((file) => file.endsWith('.jsonl'))).toBe(true);
      expect(textUnder(aliceState)).toContain('alice-secret-4711');
      expect(textUnder(bobState)).toContain('what did the other apps say?');
      expect(textUnder(bobState)).not.toContain('alice-secret-4711');
      // Bob's agent was never shown Alice's words, in any model call.
      const bobCalls = fake.api.messageRequests.filter((call) => JSON.stringify(call.body).includes('what did the other apps say?'));
      expect(bobCalls.length).toBeGreaterThan(0);
      for (const call of bobCalls) expect(JSON.stringify(call.body)).not.toContain('alice-secret-4711');
      expect(filesUnder(login)).toEqual([]);
    } finally {
      await t.http().delete(`/sessions/${a}`).set('Authorization', `Bearer ${alice}`).expect(200);
      await t.http().delete(`/sessions/${b}`).set('Authorization', `Bearer ${bob}`).expect(200);
    }
    expect(fs.existsSync(path.join(sessionsState(), a))).toBe(false);
    expect(fs.existsSync(path.join(sessionsState(), b))).toBe(false);
  }, 120_000);

  it('runs a one-shot run in a state of its own, removed after it, and leaves the login’s directory alone', async () => {
    const token = await t.mintToken('runner-app');
    fake.api.replyWith('ran');
    await t.http().post('/run').set('Authorization', `Bearer ${token}`).send({ prompt: 'hello' }).expect(200);
    expect(filesUnder(path.join(t.dataDir, 'claude-state', 'runs'))).toEqual([]);
    expect(filesUnder(login)).toEqual([]);
  });
});

describe('the logins a private state serves', () => {
  let fake: FakeModelEnv;
  let t: TestApp | undefined;

  beforeEach(async () => {
    fake = await useFakeModelApi();
    delete process.env.ANTHROPIC_API_KEY;
    fake.api.replyWith('signed in');
  });
  afterEach(async () => {
    await t?.close();
    t = undefined;
    await fake.restore();
  });

  const run = async (app: TestApp, token: string) => {
    await app.http().post('/run').set('Authorization', `Bearer ${token}`).send({ prompt: 'hello' }).expect(200);
  };
  const turn = async (app: TestApp, token: string) => {
    const id = (await app.http().post('/sessions').set('Authorization', `Bearer ${token}`).send({ agent: 'claude' }).expect(201)).body.session_id;
    await app.http().post(`/sessions/${id}/turn`).set('Authorization', `Bearer ${token}`).send({ prompt: 'hello again' }).expect(200);
    await app.http().delete(`/sessions/${id}`).set('Authorization', `Bearer ${token}`).expect(200);
  };

  it('a subscription login (`claude /login`): its credentials are read where they are, by runs and sessions, never copied', async () => {
    const login = process.env.CLAUDE_CONFIG_DIR!;
    fs.mkdirSync(login, { recursive: true });
    const credentials = JSON.stringify({
      claudeAiOauth: { accessToken: 'sk-ant-oat01-subscription', refreshToken: 'sk-ant-ort01-refresh', expiresAt: Date.now() + 8 * 3600_000, scopes: ['user:inference', 'user:profile'], subscriptionType: 'max' },
    });
    fs.writeFileSync(path.join(login, '.credentials.json'), credentials, { mode: 0o600 });
    fs.writeFileSync(path.join(login, '.claude.json'), JSON.stringify({ oauthAccount: { accountUuid: 'acc-1', emailAddress: 'ops@example.test' }, projects: { '/elsewhere': {} } }));
    t = await startTestApp({ ...realClis(), RUN_WARM_POOL: '0' });
    const token = await t.mintToken('app');
    await run(t, token);
    await turn(t, token);
    const calls = fake.api.messageRequests;
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (const call of calls) expect(call.headers.authorization).toBe('Bearer sk-ant-oat01-subscription');
    expect(fs.readFileSync(path.join(login, '.credentials.json'), 'utf8')).toBe(credentials);
    expect(filesUnder(login)).toEqual(['.claude.json', '.credentials.json']);
    expect(textUnder(path.join(t.dataDir, 'claude-state'))).not.toContain('sk-ant-');
  }, 90_000);

  it('a Console login’s key, kept in the login’s .claude.json, reaches the API (runs and sessions take it alike)', async () => {
    const login = process.env.CLAUDE_CONFIG_DIR!;
    fs.mkdirSync(login, { recursive: true });
    fs.writeFileSync(path.join(login, '.claude.json'), JSON.stringify({ primaryApiKey: 'sk-ant-api03-console-key' }));
    t = await startTestApp({ ...realClis(), RUN_WARM_POOL: '0' });
    await run(t, await t.mintToken('app'));
    const calls = fake.api.messageRequests;
    expect(calls.length).toBeGreaterThanOrEqual(1);
    for (const call of calls) expect(call.headers['x-api-key']).toBe('sk-ant-api03-console-key');
    expect(textUnder(path.join(t.dataDir, 'claude-state'))).not.toContain('sk-ant-api03');
  }, 90_000);

  it('a long-lived token from `claude setup-token` in the server’s environment (runs and sessions take it alike)', async () => {
    process.env.CLAUDE_CODE_OAUTH_TOKEN = 'sk-ant-oat01-setup-token';
    t = await startTestApp({ ...realClis(), RUN_WARM_POOL: '0' });
    await run(t, await t.mintToken('app'));
    const calls = fake.api.messageRequests;
    expect(calls.length).toBeGreaterThanOrEqual(1);
    for (const call of calls) expect(call.headers.authorization).toBe('Bearer sk-ant-oat01-setup-token');
  }, 90_000);
});
