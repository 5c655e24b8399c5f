import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { Clawdforge, ClawdforgeError, SessionClosedError } from '@clawdforge/client';
import { AuditService } from '@clawdforge/audit';
import { PNG_1X1 } from './support/sample-files';
import { ADMIN_TOKEN, startTestApp, TestApp } from './support/test-app';

const ACPX = path.join(__dirname, '..', 'node_modules', '.bin', 'acpx');
const FAKE_AGENT = `${process.execPath} ${path.join(__dirname, 'fixtures', 'fake-acp-agent', 'agent.mjs')}`;

/** The TypeScript SDK against the real server on a loopback port (fake claude, real acpx with the fake agent). */
describe('@clawdforge/client', () => {
  let t: TestApp;
  let baseUrl: string;
  let admin: Clawdforge;
  let app: Clawdforge;
  let appToken: string;

  beforeAll(async () => {
    t = await startTestApp({ ACPX_BIN: ACPX, SESSION_AGENTS: 'fake', SESSION_AGENT_COMMANDS: `fake=${FAKE_AGENT}`, MAX_CONCURRENT_RUNS: '1', RUN_QUEUE_MAX: '0' });
    await t.app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    admin = new Clawdforge({ baseUrl, token: ADMIN_TOKEN });
    appToken = (await admin.tokens.create('sdk-app')).token;
    app = new Clawdforge({ baseUrl, token: appToken });
  });
  afterAll(() => t.close());

  it('runs a prompt and streams one', async () => {
    expect(await app.run({ prompt: 'hi' })).toMatchObject({ ok: true, result: 'You said: hi', stop_reason: 'end_turn' });
    const events = [];
    for await (const event of app.runStream({ prompt: 'there' })) events.push(event);
    expect(events.map((e) => e.type)).toEqual(['delta', 'delta', 'result']);
    expect(events.filter((e) => e.type === 'delta').map((e) => (e as { text: string }).text).join('')).toBe('You said: there');
  });

  it('throws ClawdforgeError with code, status, field and request id, never the token', async () => {
    const error = await app.run({ prompt: 'x', model: '--evil' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClawdforgeError);
    expect(error).toMatchObject({ code: 'invalid_request', status: 400, field: 'model', requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const denied = await new Clawdforge({ baseUrl, token: 'cf_not-a-token' }).listFiles().catch((e: unknown) => e as ClawdforgeError);
    expect(denied).toMatchObject({ code: 'invalid_token', status: 401 });
    expect(`${(denied as Error).message} ${(denied as Error).stack}`).not.toContain('cf_not-a-token');
  });

  it('keeps the token out of inspection and JSON', () => {
    expect(inspect(app, { depth: 10, showHidden: true })).not.toContain(appToken);
    expect(JSON.stringify(app)).toBe(JSON.stringify({ baseUrl }));
    expect(JSON.stringify({ client: app })).not.toContain(appToken);
  });

  it('uploads, lists and deletes files, and attaches them to runs', async () => {
    const file = await app.uploadFile(new Uint8Array(PNG_1X1), { filename: 'dot.png', ttlSecs: 120 });
    expect(file).toMatchObject({ file_token: expect.stringMatching(/^ff_/), media_type: 'image/png', ttl_secs: 120, name: 'dot.png' });
    expect((await app.listFiles()).items.map((f) => f.file_token)).toContain(file.file_token);
    const run = await app.run({ prompt: 'FAKE:echo', files: [file.file_token] });
    expect((run.result as { blocks: { type: string }[] }).blocks[0].type).toBe('image');
    expect(await app.deleteFile(file.file_token)).toEqual({ ok: true, file_token: file.file_token, deleted: true });
    await expect(app.deleteFile(file.file_token)).rejects.toMatchObject({ code: 'file_not_found', status: 404 });
  });

  it('drives a session: turns with text(), streamed turns, state, and an idempotent close', async () => {
    const session = await app.newSession({ agent: 'fake', model: 'haiku' });
    const first = await session.turn('hello');
    expect(first.text()).toBe('echo: hello (turn 1)');
    expect(first.turn_index).toBe(1);

    const streamed = [];
    for await (const event of session.turnStream('chunks:2')) streamed.push(event);
    expect(streamed.map((e) => e.type).at(-1)).toBe('result');
    const result = streamed.at(-1) as { result: { text(): string } };
    expect(result.result.text()).toBe('part 1part 2');

    expect(await session.state()).toMatchObject({ status: 'open', turn_count: 2, busy: false });
    expect((await app.listSessions()).items.map((s) => s.session_id)).toContain(session.id);

    await session.close();
    await session.close();
    expect((await app.getSession(session.id).state()).status).toBe('closed');

    await t.app.get(AuditService).flush();
    const before = (await admin.audit.list({ token: 'sdk-app', limit: 1000 })).items.length;
    await expect(session.turn('too late')).rejects.toBeInstanceOf(SessionClosedError);
    await t.app.get(AuditService).flush();
    expect((await admin.audit.list({ token: 'sdk-app', limit: 1000 })).items.length).toBe(before);
  });

  it('closes a session on async dispose', async () => {
    const session = await app.newSession({ agent: 'fake' });
    await session[Symbol.asyncDispose]();
    expect(session.closed).toBe(true);
    expect((await app.getSession(session.id).state()).status).toBe('closed');
  });

  it('retries 429 with backoff when asked to, and not otherwise', async () => {
    const patient = new Clawdforge({ baseUrl, token: appToken, retry: { attempts: 20, maxDelayMs: 100 } });
    const slow = app.run({ prompt: 'FAKE:sleep:700' });
    await new Promise((resolve) => setTimeout(resolve, 150));
    await expect(app.run({ prompt: 'x' })).rejects.toMatchObject({ code: 'queue_full', status: 429 });
    const retried = patient.run({ prompt: 'retried' });
    expect((await retried).result).toBe('You said: retried');
    await slow;
  });

  it('answers a run sent again under its Idempotency-Key with the first answer, replayed and billed once', async () => {
    const key = `sdk-retry-${process.pid}`;
    const before = await app.usage();
    const first = await app.run({ prompt: 'once, under a key' }, { idempotencyKey: key });
    const again = await app.run({ prompt: 'once, under a key' }, { idempotencyKey: key });
    expect(again).toEqual(first);
    expect((await app.usage()).today.runs).toBe(before.today.runs + 1);
    await t.app.get(AuditService).flush();
    const [replayed, original] = (await admin.audit.list({ token: 'sdk-app', route: '/run', limit: 2 })).items;
    expect([replayed.replayed, replayed.status, original.replayed]).toEqual([true, 200, null]);
    await expect(app.run({ prompt: 'another request' }, { idempotencyKey: key })).rejects.toMatchObject({ status: 422, code: 'idempotency_key_reused' });
  });

  it('starts a background run, follows its events, resumes them after an event, reads it back and lists it', async () => {
    const { run_id: id, status } = await app.runs.start({ prompt: 'later' });
    expect(status).toBe('queued');
    const events = [];
    for await (const event of app.runs.events(id)) events.push(event);
    expect(events.map((e) => [e.seq, e.type])).toEqual([
      [1, 'delta'],
      [2, 'delta'],
      [3, 'result'],
    ]);
    const rest = [];
    for await (const event of app.runs.events(id, { after: 2 })) rest.push(event);
    expect(rest).toEqual(events.slice(2));
    expect(await app.runs.get(id)).toMatchObject({ run_id: id, status: 'succeeded', http_status: 200, response: { ok: true, result: 'You said: later' } });
    expect((await app.runs.list({ limit: 1 })).items.map((run) => run.run_id)).toEqual([id]);
    expect(await app.runs.cancel(id)).toMatchObject({ status: 'succeeded' });
    await expect(app.runs.get('run_unknown')).rejects.toMatchObject({ code: 'run_not_found', status: 404 });
  });

  it('reads health without a token, and its own usage with one', async () => {
    const anonymous = new Clawdforge({ baseUrl, token: 'none' });
    expect(await anonymous.health()).toMatchObject({ ok: true, db_ok: true, claude_present: true, agents: { file_tools: 'restricted' } });
    const before = await app.usage();
    await app.run({ prompt: 'counted' });
    const after = await app.usage();
    expect(after).toMatchObject({ ok: true, token: 'sdk-app', limits: { budget_usd_day: null }, budget_left_day: null });
    expect(after.today.runs).toBe(before.today.runs + 1);
  });

  it('answers runs and turns with tools_refused', async () => {
    expect((await app.run({ prompt: 'x' })).tools_refused).toBe(0);
    const session = await app.newSession({ agent: 'fake' });
    try {
      expect((await session.turn('hello')).tools_refused).toBe(0);
    } finally {
      await session.close();
    }
  });

  it('mints with limits, reads, updates and lists tokens, and reads the usage ledger', async () => {
    const minted = await admin.tokens.create('sdk-limited', { ip_cidrs: ['127.0.0.0/8'], models: ['haiku'], runs_per_minute: 10 });
    expect(minted).toMatchObject({ ok: true, name: 'sdk-limited', models: ['haiku'], runs_per_minute: 10, budget_usd_day: null, token: expect.stringMatching(/^cf_/) });
    expect(await admin.tokens.get('sdk-limited')).toMatchObject({ ok: true, name: 'sdk-limited', ip_cidrs: ['127.0.0.0/8'], models: ['haiku'] });
    const updated = await admin.tokens.update('sdk-limited', { models: null, budget_usd_day: 2.5, ip_cidrs: null });
    expect(updated).toMatchObject({ models: null, budget_usd_day: 2.5, runs_per_minute: 10, ip_cidrs: null });
    await expect(admin.tokens.update('sdk-limited', { runs_per_minute: 0 })).rejects.toMatchObject({ status: 400, code: 'invalid_request', field: 'runs_per_minute' });
    await expect(admin.tokens.get('nobody-here')).rejects.toMatchObject({ status: 404, code: 'token_not_found' });
    await admin.tokens.revoke('sdk-limited');

    const ledger = await admin.ledger.list({ token: 'sdk-app', group_by: 'model' });
    expect(ledger.items.length).toBeGreaterThan(0);
    expect(ledger.items.every((item) => item.token === 'sdk-app' && 'model' in item)).toBe(true);
    await expect(admin.ledger.list({ group_by: 'week' as 'day' })).rejects.toMatchObject({ status: 400, field: 'group_by' });
  });

  it('administers tokens and reads the audit log', async () => {
    const minted = await admin.tokens.create('sdk-temp', ['10.0.0.0/8']);
    expect(minted.token).toMatch(/^cf_/);
    expect((await admin.tokens.list()).items.map((i) => i.name)).toContain('sdk-temp');
    expect((await admin.tokens.revoke('sdk-temp')).revoked_at).not.toBeNull();
    await t.app.get(AuditService).flush();
    const rows = (await admin.audit.list({ route: '/admin/tokens', limit: 5 })).items;
    expect(rows.slice(0, 2).map((r) => `${r.token_name} ${r.method} ${r.route} ${r.status}`)).toEqual(['admin GET /admin/tokens 200', 'admin POST /admin/tokens 201']);
  });
});
