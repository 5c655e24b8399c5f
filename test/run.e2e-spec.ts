import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { AuditService } from '@clawdforge/audit';
import { ClaudeWarmPool } from '@clawdforge/runners';
import { eventually, processesWith, strayChildren } from './support/processes';
import { ADMIN_TOKEN, startTestApp, TestApp } from './support/test-app';

describe.each([
  ['on', '1'],
  ['off', '0'],
])('POST /run (fake claude at the process boundary), warm pool %s', (pool, RUN_WARM_POOL) => {
  let t: TestApp;
  let token: string;
  const run = (body: object) => t.http().post('/run').set('Authorization', `Bearer ${token}`).send(body);
  const lastAudit = async () => {
    await t.app.get(AuditService).flush();
    return (await t.admin('get', '/admin/audit').query({ route: '/run', limit: '1' }).expect(200)).body.items[0];
  };

  beforeAll(async () => {
    // Server secrets in the environment must not reach the child.
    process.env.ADMIN_BOOTSTRAP_TOKEN = ADMIN_TOKEN;
    process.env.DATABASE_PASSWORD = 'never-in-a-child';
    t = await startTestApp({ RUN_OUTPUT_MAX_BYTES: String(1024 * 1024), RUN_WARM_POOL });
    token = await t.mintToken('cauldron');
  });
  afterAll(async () => {
    await t.close();
    delete process.env.ADMIN_BOOTSTRAP_TOKEN;
    delete process.env.DATABASE_PASSWORD;
  });
  const spares = () => t.app.get(ClaudeWarmPool).sparePids;
  afterEach(async () => {
    expect(await strayChildren(spares)).toEqual([]);
  });

  it('returns the answer with usage, cost, the resolved model and the CLI session id, and audits it', async () => {
    const res = await run({ prompt: 'hello there' }).expect(200);
    expect(res.body).toEqual({
      ok: true,
      result: 'You said: hello there',
      duration_ms: expect.any(Number),
      stop_reason: 'end_turn',
      queue_ms: 0,
      model: 'claude-sonnet-4-5',
      usage: { input_tokens: 11, output_tokens: 7, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      cost_usd: 0.0042,
      session_id: '11111111-2222-4333-8444-555555555555',
      tools_refused: 0,
    });
    expect(await lastAudit()).toMatchObject({
      token_name: 'cauldron',
      status: 200,
      model: 'claude-sonnet-4-5',
      prompt_chars: 11,
      response_chars: 'You said: hello there'.length,
      input_tokens: 11,
      output_tokens: 7,
      cost_usd: 0.0042,
      queue_ms: 0,
      error_code: null,
    });
  });

  it('strips a code fence and parses JSON', async () => {
    const res = await run({ prompt: 'FAKE:json', model: 'opus' }).expect(200);
    expect(res.body.result).toEqual({ qty: 2, unit: 'cup' });
  });

  it('spawns with safe flags, the prompt on stdin only, an allowlisted env and a fresh run dir it then removes', async () => {
    const system = '--dangerously-skip-permissions; $(touch /tmp/pwned)';
    const res = await run({ prompt: 'FAKE:echo', model: 'claude-haiku-4-5', system, json_schema: { type: 'object' } }).expect(200);
    const seen = res.body.result as { argv: string[]; cwd: string; env: Record<string, string>; prompt: string };
    expect(seen.argv).toEqual([
      '--print',
      '--input-format=stream-json',
      '--output-format=stream-json',
      '--verbose',
      '--model=claude-haiku-4-5',
      '--no-session-persistence',
      '--strict-mcp-config',
      '--setting-sources=',
      '--disable-slash-commands',
      '--tools=',
      '--permission-mode=dontAsk',
      `--system-prompt=${system}`,
      '--json-schema={"type":"object"}',
      '--restricted',
      expect.stringMatching(/^--settings=\{"permissions":\{"deny":\[.*"Read\(\/\/proc\/\*\*\)"/),
    ]);
    expect(seen.prompt).toBe('FAKE:echo');
    expect(JSON.stringify(seen.env)).not.toContain(ADMIN_TOKEN);
    expect(seen.env).not.toHaveProperty('DATABASE_PASSWORD');
    expect(seen.env).toMatchObject({ CLAUDE_CODE_MAX_RETRIES: '2', DISABLE_AUTOUPDATER: '1' });
    expect(path.dirname(seen.cwd)).toBe(t.config.paths.runsDir);
    expect(seen.env.CLAUDE_CODE_TMPDIR.startsWith(seen.cwd)).toBe(true);
    expect(fs.existsSync(seen.cwd)).toBe(false);
    // What is left in RUNS_DIR belongs to the spares waiting for the next runs, one directory each.
    expect(await eventually(() => fs.readdirSync(t.config.paths.runsDir).length === spares().length)).toBe(true);
  });

  it(pool === 'on' ? 'serves a configuration in use (its second run on) from a spare started before the run, and keeps one waiting' : 'starts each run’s process when the run comes', async () => {
    // A first run of a configuration starts no spare (it may be a one-off); the second does.
    const first = await run({ prompt: 'FAKE:echo', model: 'haiku' }).expect(200);
    expect(first.body.result.waited_ms).toBeLessThan(400);
    await run({ prompt: 'FAKE:echo', model: 'haiku' }).expect(200);
    // Long enough for the spare to start and wait 400 ms even on a busy machine.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const { body } = await run({ prompt: 'FAKE:echo', model: 'haiku' }).expect(200);
    const health = await t.http().get('/healthz').expect(200);
    if (pool === 'on') {
      expect(body.result.waited_ms).toBeGreaterThanOrEqual(400);
      // At least the default configuration's spare and haiku's.
      expect(health.body.warm_pool.spares).toBeGreaterThanOrEqual(2);
      expect(health.body.warm_pool.warm_runs).toBeGreaterThanOrEqual(1);
      expect(health.body.cli_children).toBe(health.body.warm_pool.spares);
    } else {
      expect(body.result.waited_ms).toBeLessThan(400);
      expect(health.body.warm_pool).toEqual({ spares: 0, warm_runs: 0, cold_runs: expect.any(Number), session_clients: 0 });
      expect(health.body.cli_children).toBe(0);
    }
    expect(spares()).toHaveLength(health.body.warm_pool.spares);
  });

  it.each([
    [{}, 'prompt'],
    [{ prompt: '' }, 'prompt'],
    [{ prompt: 42 }, 'prompt'],
    [{ prompt: 'x', model: '--dangerously-skip-permissions' }, 'model'],
    [{ prompt: 'x', model: 'gpt-4o' }, 'model'],
    [{ prompt: 'x', timeout_secs: 0 }, 'timeout_secs'],
    [{ prompt: 'x', timeout_secs: 3601 }, 'timeout_secs'],
    [{ prompt: 'x', timeout_secs: 1.5 }, 'timeout_secs'],
    [{ prompt: 'x', json_schema: 'object' }, 'json_schema'],
    [{ prompt: 'x', system: 'x'.repeat(64 * 1024 + 1) }, 'system'],
    [{ prompt: 'x', stream: 'maybe' }, 'stream'],
  ])('400s %j naming %s without spawning', async (body, field) => {
    const res = await run(body).expect(400);
    expect(res.body.error.field).toBe(field);
  });

  it.each([
    ['FAKE:crash', 'cli_failed', /exited \(1\) without a result/],
    ['FAKE:garbage', 'cli_failed', /without a result/],
    ['FAKE:is_error', 'cli_failed', /upstream 529/],
    ['FAKE:exit2', 'cli_failed', /reported an error/],
    ['FAKE:huge', 'output_too_large', /output passed/],
  ])('%s → 502 %s with a sanitised message', async (prompt, code, message) => {
    const res = await run({ prompt }).expect(502);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message).toMatch(message);
    expect(res.text).not.toMatch(/alice|sk-ant-api03|\/home\//);
    expect((await lastAudit()).error_code).toBe(code);
  });

  it('stops a run past timeout_secs with 504, leaving no process behind', async () => {
    const marker = `cf-timeout-${process.hrtime.bigint()}`;
    const started = Date.now();
    const res = await run({ prompt: `FAKE:hang:${marker}`, timeout_secs: 1 }).expect(504);
    expect(res.body.error).toEqual({ code: 'timeout', message: 'the run did not finish within 1 s' });
    expect(Date.now() - started).toBeLessThan(2500);
    expect(await eventually(() => processesWith(marker).length === 0)).toBe(true);
    // Interrupted, the CLI said what the run had cost so far: the audit row and the ledger keep it.
    expect(await lastAudit()).toMatchObject({ error_code: 'timeout', cost_usd: 0.0031, input_tokens: 11, output_tokens: 7 });
  });

  it('kills a child that ignores SIGTERM after the grace period', async () => {
    const res = await run({ prompt: 'FAKE:ignore-term', timeout_secs: 1 }).expect(504);
    expect(res.body.error.code).toBe('timeout');
  });

  it('kills the run within a second when the client disconnects, and audits it as cancelled', async () => {
    await t.app.listen(0, '127.0.0.1');
    const port = (t.app.getHttpServer().address() as AddressInfo).port;
    const marker = `cf-cancel-${process.hrtime.bigint()}`;
    const req = http.request({ host: '127.0.0.1', port, path: '/run', method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' } });
    req.on('error', () => undefined);
    req.end(JSON.stringify({ prompt: `FAKE:hang:${marker}`, timeout_secs: 60 }));
    expect(await eventually(() => processesWith(marker).length > 0)).toBe(true);

    req.destroy();
    const gone = Date.now();
    expect(await eventually(() => processesWith(marker).length === 0, 1000)).toBe(true);
    expect(Date.now() - gone).toBeLessThan(1000);
    expect(await lastAudit()).toMatchObject({ status: 499, error_code: 'cancelled', token_name: 'cauldron', cost_usd: 0.0031 });
  });
});

describe('POST /run limits', () => {
  it('answers 503 cli_not_found when the CLI is missing', async () => {
    const t = await startTestApp({ CLAUDE_BIN: '/opt/nowhere/claude' });
    try {
      const token = await t.mintToken('app');
      const res = await t.http().post('/run').set('Authorization', `Bearer ${token}`).send({ prompt: 'hi' }).expect(503);
      expect(res.body.error).toEqual({ code: 'cli_not_found', message: 'claude CLI is not installed or not executable' });
    } finally {
      await t.close();
    }
  });

  it('400s a model outside MODEL_ALLOWLIST', async () => {
    const t = await startTestApp({ MODEL_ALLOWLIST: 'haiku', DEFAULT_MODEL: 'haiku' });
    try {
      const token = await t.mintToken('app');
      const res = await t.http().post('/run').set('Authorization', `Bearer ${token}`).send({ prompt: 'hi', model: 'opus' }).expect(400);
      expect(res.body.error).toMatchObject({ code: 'model_not_allowed', field: 'model' });
      await t.http().post('/run').set('Authorization', `Bearer ${token}`).send({ prompt: 'hi' }).expect(200);
    } finally {
      await t.close();
    }
  });

  it('queues past MAX_CONCURRENT_RUNS and 429s past RUN_QUEUE_MAX with Retry-After', async () => {
    const t = await startTestApp({ MAX_CONCURRENT_RUNS: '1', RUN_QUEUE_MAX: '1' });
    try {
      const token = await t.mintToken('app');
      const send = () => t.http().post('/run').set('Authorization', `Bearer ${token}`).send({ prompt: 'FAKE:sleep:600' });
      const first = send().then((r) => r);
      await new Promise((resolve) => setTimeout(resolve, 150));
      const second = send().then((r) => r);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const third = await send();
      expect(third.status).toBe(429);
      expect(third.body.error.code).toBe('queue_full');
      expect(Number(third.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect((await first).status).toBe(200);
      const queued = await second;
      expect(queued.status).toBe(200);
      expect(queued.body.queue_ms).toBeGreaterThan(200);
    } finally {
      await t.close();
    }
  });
});
