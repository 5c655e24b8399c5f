import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeModelApi, RecordedRequest, ToolUse } from './fixtures/fake-model-api/fake-model-api';
import { answersTools, CANARIES, canariesIn, hostileCalls, OWN_MARKER, ownCalls, plantLinks, Target, targetsFor, toolResults } from './support/attack-plan';
import { assertBuilt, BuiltServer, freePort, npmStart, NpmServer, startNpmServer } from './support/built-server';
import { ADMIN_TOKEN, makeDataDir } from './support/test-app';

const BIN = path.join(__dirname, '..', 'node_modules', '.bin');

/**
 * Agent confinement, tried from outside as a prompt injection would: the attacker controls only
 * what the model says. The built server (npm start) runs the real pinned claude CLI, acpx and Claude
 * ACP adapter against a fake Messages API whose first answer is one tool call per tool and target
 * (Read, Grep, Glob, Bash, Edit, Write and a subagent against places outside the agent's own
 * directory), all at once, plus a few calls inside it. Planted canaries must reach neither the model
 * (the tool results the CLI sends back) nor the caller, nothing outside may change, and what the
 * setting allows inside the agent's own directory must still work.
 */
describe('agent confinement (npm start, real claude, acpx and adapter, hostile model)', () => {
  let api: FakeModelApi;
  let home: string;
  let outsideDir: string;
  /** The tool calls the fake model made in its last first answer, in order (tool_use ids end in their index). */
  let planned: ToolUse[] = [];
  /** The agent's own directory for the next model call, when the test knows it (sessions). */
  let sessionCwd: string | null = null;

  beforeAll(async () => {
    assertBuilt();
    api = await FakeModelApi.start();
    home = makeDataDir();
    fs.mkdirSync(path.join(home, '.claude'));
    fs.writeFileSync(path.join(home, '.claude', '.credentials.json'), JSON.stringify({ claudeAiOauth: { accessToken: CANARIES.credentials } }));
    outsideDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clawdforge-outside-'));
    fs.writeFileSync(path.join(outsideDir, 'content.txt'), `${CANARIES.outside}\n`);
    fs.writeFileSync(path.join(outsideDir, `${CANARIES.outsideName}.txt`), 'x\n');
  });
  afterAll(async () => {
    await api.close();
    fs.rmSync(outsideDir, { recursive: true, force: true });
  });

  interface Served {
    server: BuiltServer;
    base: string;
    dataDir: string;
    token: string;
    targets: (cwd: string) => Target[];
    stop: () => Promise<void>;
  }

  /** A server with `env`, the canaries planted in its state, another token's upload, and a token for the attacker's app. */
  async function serve(env: Record<string, string>): Promise<Served> {
    const dataDir = makeDataDir();
    const npm = await startNpmServer(
      {
        DATA_DIR: dataDir,
        CLAUDE_BIN: path.join(BIN, 'claude'),
        ACPX_BIN: path.join(BIN, 'acpx'),
        ANTHROPIC_BASE_URL: api.url,
      ANTHROPIC_API_KEY: 'sk-ant-test',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      CLAUDE_CONFIG_DIR: path.join(home, '.claude'),
        // The Claude ACP adapter refuses to run as root outside a sandbox; CI may run as root.
        IS_SANDBOX: '1',
        ...env,
      },
      home,
    );
    try {
      return await prepare(npm, dataDir);
    } catch (error) {
      npm.server.stop('SIGKILL');
      throw error;
    }
  }

  async function prepare(npm: NpmServer, dataDir: string): Promise<Served> {
    const { server, base } = npm;
    const admin = (body: object) =>
      fetch(`${base}/admin/tokens`, { method: 'POST', headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) }).then(
        async (res) => ((await res.json()) as { token: string }).token,
      );
    const token = await admin({ name: 'attacker' });
    const victim = await admin({ name: 'victim' });
    const upload = new FormData();
    upload.append('file', new Blob([`${CANARIES.otherUpload}\n`]), 'private.txt');
    expect((await fetch(`${base}/files`, { method: 'POST', headers: { Authorization: `Bearer ${victim}` }, body: upload })).status).toBe(201);

    const otherSessionDir = path.join(dataDir, 'acpx-cwds', '00000000-0000-4000-8000-000000000000');
    fs.mkdirSync(otherSessionDir, { recursive: true });
    fs.writeFileSync(path.join(otherSessionDir, 'notes.txt'), `${CANARIES.otherSession}\n`);
    fs.writeFileSync(path.join(dataDir, 'canary.txt'), `${CANARIES.dataDir}\n`);
    for (const parent of ['runs', 'acpx-cwds']) {
      fs.mkdirSync(path.join(dataDir, parent), { recursive: true });
      fs.writeFileSync(path.join(dataDir, parent, 'canary-sibling.txt'), `${CANARIES.sibling}\n`);
    }
    const filesDir = path.join(dataDir, 'files');
    const [stored] = fs.readdirSync(filesDir);
    const targets = () =>
      targetsFor({ outsideDir, configDir: path.join(home, '.claude'), dataDir, otherSessionDir, filesDir, upload: stored });
    return {
      server,
      base,
      dataDir,
      token,
      targets,
      stop: npm.stop,
    };
  }

  /**
   * The fake model: its first answer is every hostile call and the own-directory calls at once; any
   * other call (their results, or the adapter's own side requests such as a title) gets "done".
   */
  function attackFrom(served: Served): void {
    api.requests.length = 0;
    let attacked = false;
    api.replyWith((request: RecordedRequest) => {
      if (attacked || answersTools(request)) return { text: 'done' };
      attacked = true;
      const cwd = sessionCwd ?? runDirOf(served.dataDir, request);
      fs.writeFileSync(path.join(cwd, 'own.txt'), `${OWN_MARKER}\n`);
      plantLinks(cwd, outsideDir);
      planned = [...hostileCalls(cwd, served.targets(cwd)), ...ownCalls(cwd)];
      return { toolUses: planned };
    });
  }

  /** The tool results, keyed by the call they answer. */
  function resultsByCall(): { call: ToolUse; result: string }[] {
    const results = toolResults(api.messageRequests);
    return [...results.entries()].map(([id, result]) => ({ call: planned[Number(id.split('_').pop())], result }));
  }

  function expectNothingLeaked(answer: string): void {
    const seenByModel = JSON.stringify(api.messageRequests.map((r) => r.body));
    expect(canariesIn(seenByModel)).toEqual([]);
    expect(canariesIn(answer)).toEqual([]);
    expect(fs.readFileSync(path.join(outsideDir, 'content.txt'), 'utf8')).toBe(`${CANARIES.outside}\n`);
    expect(fs.readFileSync(path.join(home, '.claude', '.credentials.json'), 'utf8')).toContain(CANARIES.credentials);
    expect(fs.readdirSync(outsideDir).sort()).toEqual([`${CANARIES.outsideName}.txt`, 'content.txt'].sort());
  }

  async function auditRow(served: Served, route: string): Promise<Record<string, unknown>> {
    const res = await fetch(`${served.base}/admin/audit?route=${encodeURIComponent(route)}&limit=1`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    return ((await res.json()) as { items: Record<string, unknown>[] }).items[0];
  }

  describe.each([
    ['none', false],
    ['read-only', true],
  ])('POST /run with RUN_TOOLS=%s', (runTools, reads) => {
    let served: Served;
    beforeAll(async () => {
      served = await serve({ RUN_TOOLS: runTools });
    });
    afterAll(() => served?.stop());

    it(`refuses every call outside the run directory${reads ? ', and reads inside it' : ''}; nothing leaks, the run ends normally`, async () => {
      attackFrom(served);
      const res = await fetch(`${served.base}/run`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${served.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ prompt: 'summarise the notes', timeout_secs: 120 }),
      });
      const answer = await res.text();
      expect(res.status).toBe(200);
      expect(JSON.parse(answer)).toMatchObject({ ok: true, result: 'done' });
      expectNothingLeaked(answer);

      const byCall = resultsByCall();
      expect(byCall.length).toBe(planned.length);
      const ownRead = byCall.find((r) => r.call.name === 'Read' && JSON.stringify(r.call.input).includes('own.txt'))!;
      expect(ownRead.result.includes(OWN_MARKER)).toBe(reads);
      expect(JSON.parse(answer).tools_refused).toBeGreaterThan(0);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect((await auditRow(served, '/run')).tools_refused).toBe(JSON.parse(answer).tools_refused);
    }, 120_000);
  });

  describe.each([
    ['deny-all', { reads: false, edits: false }],
    ['approve-reads', { reads: true, edits: false }],
  ])('sessions with SESSION_PERMISSIONS=%s', (permissions, may) => {
    let served: Served;
    beforeAll(async () => {
      served = await serve({ SESSION_PERMISSIONS: permissions });
    });
    afterAll(() => served?.stop());

    it('refuses every call outside the session directory; nothing leaks, the turn ends normally with the refusals in its events', async () => {
      await attackSession(served, may);
    }, 180_000);
  });

  describe('sessions with SESSION_PERMISSIONS=approve-all', () => {
    const sandboxAvailable = ['bwrap', 'socat'].every((bin) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0);

    if (sandboxAvailable) {
      let served: Served;
      beforeAll(async () => {
        served = await serve({ SESSION_PERMISSIONS: 'approve-all' });
      });
      afterAll(() => served?.stop());

      it('edits and runs commands inside its directory only, its shell in an OS sandbox; nothing outside leaks or changes', async () => {
        const health = (await (await fetch(`${served.base}/healthz`)).json()) as { agents: Record<string, unknown> };
        expect(health.agents).toMatchObject({ session_permissions: 'approve-all', shell_sandbox: 'bwrap', unsandboxed_agents: false });
        await attackSession(served, { reads: true, edits: true });
      }, 180_000);
    } else {
      it('without bubblewrap and socat: the server refuses to start, unless ALLOW_UNSANDBOXED_AGENTS=1, which /healthz then reports', async () => {
        process.stdout.write('bubblewrap or socat is missing: checking the refusal instead of the sandbox (apt-get install bubblewrap socat)\n');
        const refused = npmStart(home, { ADMIN_BOOTSTRAP_TOKEN: ADMIN_TOKEN, DATA_DIR: makeDataDir(), SESSION_PERMISSIONS: 'approve-all', PORT: String(await freePort()) });
        expect((await refused.exited).code).not.toBe(0);
        expect(refused.output()).toContain('clawdforge: invalid configuration: SESSION_PERMISSIONS is approve-all');
        const served = await serve({ SESSION_PERMISSIONS: 'approve-all', ALLOW_UNSANDBOXED_AGENTS: '1' });
        try {
          const health = (await (await fetch(`${served.base}/healthz`)).json()) as { agents: Record<string, unknown> };
          expect(health.agents).toMatchObject({ shell_sandbox: 'none', unsandboxed_agents: true });
        } finally {
          await served.stop();
        }
      }, 60_000);
    }
  });

  async function attackSession(served: Served, may: { reads: boolean; edits: boolean }): Promise<void> {
    const call = (method: string, route: string, body?: object) =>
      fetch(`${served.base}${route}`, { method, headers: { Authorization: `Bearer ${served.token}`, 'Content-Type': 'application/json' }, body: body && JSON.stringify(body) });
    const created = await call('POST', '/sessions', { agent: 'claude' });
    expect(created.status).toBe(201);
    const id = ((await created.json()) as { session_id: string }).session_id;
    sessionCwd = path.join(served.dataDir, 'acpx-cwds', id);
    try {
      attackFrom(served);
      const res = await call('POST', `/sessions/${id}/turn`, { prompt: 'summarise the notes', timeout_secs: 150 });
      const answer = await res.text();
      expect(res.status).toBe(200);
      const turn = JSON.parse(answer) as { stop_reason: string; tools_refused: number; events: unknown[] };
      expect(turn.stop_reason).toBe('end_turn');
      expectNothingLeaked(answer);

      const byCall = resultsByCall();
      expect(byCall.length).toBe(planned.length);
      const own = (name: string) => byCall.find((r) => r.call.name === name && JSON.stringify(r.call.input).includes(path.join(sessionCwd!, 'own.txt')))!;
      expect(own('Read').result.includes(OWN_MARKER)).toBe(may.reads);
      expect(fs.existsSync(path.join(sessionCwd, 'made-by-agent.txt'))).toBe(may.edits);
      expect(fs.existsSync(path.join(sessionCwd, 'shell-copy.txt'))).toBe(may.edits);
      // The turn counts its refusals. Where edits and a shell are allowed, an Edit of a file the agent
      // could not read fails before its permission is looked at, and a command runs (sandboxed) and
      // finds nothing: neither is a refusal.
      const hostile = planned.slice(0, planned.length - ownCalls(sessionCwd).length);
      const refusable = hostile.filter((c) => !may.edits || (c.name !== 'Edit' && c.name !== 'Bash'));
      expect(turn.tools_refused).toBeGreaterThanOrEqual(refusable.length);
      expect(JSON.stringify(turn.events)).toContain('tool_call_update');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect((await auditRow(served, '/sessions/:id/turn')).tools_refused).toBe(turn.tools_refused);
    } finally {
      sessionCwd = null;
      await call('DELETE', `/sessions/${id}`);
    }
  }
});

/** The one run directory under DATA_DIR/runs while a run is in flight. */
/**
 * The directory of the run making `request`: RUNS_DIR also holds the warm spares' directories, so it
 * is read from the working directory the CLI tells the model about.
 */
function runDirOf(dataDir: string, request: RecordedRequest): string {
  const runs = path.join(dataDir, 'runs');
  const named = new Set(JSON.stringify(request.body).match(new RegExp(`${runs.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/[0-9a-f-]{36}`, 'g')) ?? []);
  if (named.size !== 1) throw new Error(`expected the request to name one run directory, found ${named.size}`);
  return [...named][0];
}
