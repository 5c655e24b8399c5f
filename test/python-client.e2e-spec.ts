import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { AuditService } from '@clawdforge/audit';
import { freePort, PROJECT_ROOT } from './support/built-server';
import { ADMIN_TOKEN, startTestApp, TestApp } from './support/test-app';

const CLIENT_DIR = path.join(PROJECT_ROOT, 'clients', 'python');
const ACPX = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'acpx');
const FAKE_AGENT = `${process.execPath} ${path.join(__dirname, 'fixtures', 'fake-acp-agent', 'agent.mjs')}`;

/** What a Python app does with the module; it prints one JSON object of what it saw. */
const SCRIPT = `
import json, os
from clawdforge import Clawdforge, ClawdforgeError

cf = Clawdforge(os.environ["CLAWDFORGE_URL"], os.environ["CLAWDFORGE_TOKEN"])
seen = {"repr": repr(cf)}

seen["health"] = cf.health()["db_ok"]
seen["run"] = cf.run("hello from python", timeout_secs=30)["result"]
try:
    cf.run("x", model="--evil")
except ClawdforgeError as error:
    seen["error"] = {"status": error.status, "code": error.code, "field": error.field, "has_request_id": bool(error.request_id), "str": str(error)}

events = list(cf.run_stream("streamed"))
seen["stream"] = {"names": [e.name for e in events], "text": "".join(e.data["text"] for e in events if e.name == "delta"), "result": events[-1].data["result"]}

uploaded = cf.upload(b"some notes", filename="notes.txt", ttl_secs=120)
seen["upload"] = {k: uploaded[k] for k in ("name", "media_type", "ttl_secs", "size")}
seen["attached"] = cf.run("FAKE:echo", files=[uploaded["file_token"]])["result"]["blocks"][0]["type"]
seen["listed"] = [f["file_token"] for f in cf.list_files()["items"]] == [uploaded["file_token"]]
seen["deleted"] = cf.delete_file(uploaded["file_token"])["deleted"]
try:
    cf.delete_file(uploaded["file_token"])
except ClawdforgeError as error:
    seen["deleted_again"] = [error.status, error.code]

with cf.session(agent="fake") as session:
    seen["turn"] = session.turn("hello").text()
    streamed = list(session.turn_stream("chunks:2"))
    seen["turn_stream"] = {"last": streamed[-1].name, "text": streamed[-1].data.text(), "acp": sum(1 for e in streamed if e.name == "acp") > 0}
    seen["open"] = session.state()["status"]
seen["closed"] = cf._json("GET", "/sessions/" + session.id)["status"]
try:
    session.turn("too late")
except ClawdforgeError as error:
    seen["after_close"] = [error.status, error.code]

seen["usage_runs"] = cf.usage()["today"]["runs"]
try:
    Clawdforge(os.environ["CLOSED_URL"], "cf_x", timeout=5).health()
except ClawdforgeError as error:
    seen["unreachable"] = [error.status, error.code]
try:
    Clawdforge(os.environ["CLAWDFORGE_URL"], os.environ["CLAWDFORGE_TOKEN"]).admin_audit()
except ClawdforgeError as error:
    seen["not_admin"] = [error.status, error.code]
print(json.dumps(seen))
`;

function python(script: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // Asynchronously: the server answering it lives in this same process.
    const child = spawn('python3', ['-c', script], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PYTHONPATH: CLIENT_DIR, PYTHONDONTWRITEBYTECODE: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** One request as the stub gateway saw it. */
interface Seen {
  method: string;
  path: string;
  key: string | null;
}

/**
 * A stub of the gateway on loopback that records each request's Idempotency-Key. A run whose prompt
 * is `flaky` is cut off unanswered the first time its key arrives and refused 429 the second; an
 * upload is always cut off; everything else is answered as the server would.
 */
async function startStub(): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const key = (req.headers['idempotency-key'] as string | undefined) ?? null;
      const tries = seen.filter((s) => key !== null && s.key === key).length;
      seen.push({ method: req.method ?? '', path: req.url ?? '', key });
      const prompt = body.startsWith('{') ? (JSON.parse(body) as { prompt?: string }).prompt : undefined;
      if (req.url === '/files' || (prompt === 'flaky' && tries === 0)) return void req.socket.destroy();
      if (prompt === 'flaky' && tries === 1) {
        res.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': '0' });
        return void res.end(JSON.stringify({ ok: false, error: { code: 'queue_full', message: 'busy' } }));
      }
      const answer = req.url === '/sessions' ? { ok: true, session_id: 's1' } : req.method === 'DELETE' ? { ok: true, status: 'closed' } : { ok: true, result: `stub: ${prompt}`, events: [] };
      if (req.headers.accept === 'text/event-stream') {
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        return void res.end(`event: result\ndata: ${JSON.stringify(answer)}\n\n`);
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** clients/python/clawdforge.py, run by python3 against the server (fake claude; acpx with the fake agent). */
describe('the Python client', () => {
  let t: TestApp;
  let env: Record<string, string>;

  beforeAll(async () => {
    const found = spawnSync('python3', ['--version'], { encoding: 'utf8' });
    if (found.status !== 0) throw new Error('python3 is not installed; the Python client spec needs it');
    t = await startTestApp({ ACPX_BIN: ACPX, SESSION_AGENTS: 'fake', SESSION_AGENT_COMMANDS: `fake=${FAKE_AGENT}` });
    await t.app.listen(0, '127.0.0.1');
    env = {
      CLAWDFORGE_URL: `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`,
      CLAWDFORGE_TOKEN: await t.mintToken('python-app'),
      CLOSED_URL: `http://127.0.0.1:${await freePort()}`,
    };
  });
  afterAll(() => t.close());

  it('runs, streams, uploads, drives a session in a with block, and raises ClawdforgeError', async () => {
    const { code, stdout, stderr } = await python(SCRIPT, env);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const seen = JSON.parse(stdout);
    expect(seen).toEqual({
      repr: `Clawdforge('${env.CLAWDFORGE_URL}')`,
      health: true,
      run: 'You said: hello from python',
      error: { status: 400, code: 'invalid_request', field: 'model', has_request_id: true, str: expect.stringMatching(/^400 invalid_request: model /) },
      stream: { names: ['delta', 'delta', 'result'], text: 'You said: streamed', result: 'You said: streamed' },
      upload: { name: 'notes.txt', media_type: 'text/plain; charset=utf-8', ttl_secs: 120, size: 10 },
      attached: 'text',
      listed: true,
      deleted: true,
      deleted_again: [404, 'file_not_found'],
      turn: 'echo: hello (turn 1)',
      turn_stream: { last: 'result', text: 'part 1part 2', acp: true },
      open: 'open',
      closed: 'closed',
      after_close: [0, 'session_closed'],
      usage_runs: 3,
      unreachable: [0, 'network_error'],
      not_admin: [403, 'admin_required'],
    });
    expect(stdout).not.toContain(env.CLAWDFORGE_TOKEN);
  }, 90_000);

  it('sends an Idempotency-Key on runs, sessions and turns: a fresh UUID or the one given, the same on every retry', async () => {
    const stub = await startStub();
    try {
      const script = `
import json, os
from clawdforge import Clawdforge, ClawdforgeError
url = os.environ["STUB_URL"]
cf = Clawdforge(url, "cf_stub")
seen = {}
cf.run("fresh")
cf.run("fresh")
list(cf.run_stream("streamed"))
cf.run("given", idempotency_key="order-42/summary")
with cf.session(agent="fake") as session:
    session.turn("hello")
    list(session.turn_stream("again"))
with cf.session(agent="fake", idempotency_key="session-1") as session:
    session.turn("hello", idempotency_key="turn-1")
    list(session.turn_stream("again", idempotency_key="turn-2"))
patient = Clawdforge(url, "cf_stub", retries=3, max_retry_wait=0)
seen["retried"] = patient.run("flaky")["result"]
try:
    cf.run("flaky")
except ClawdforgeError as error:
    seen["not_retried"] = [error.status, error.code]
try:
    patient.upload(b"notes", filename="notes.txt")
except ClawdforgeError as error:
    seen["upload"] = [error.status, error.code]
try:
    cf.run("bad key", idempotency_key=" padded")
except ClawdforgeError as error:
    seen["bad_key"] = [error.status, error.code, error.field]
Clawdforge(url, "cf_stub", idempotency_keys=False).run("keyless")
print(json.dumps(seen))
`;
      const { code, stdout, stderr } = await python(script, { STUB_URL: stub.url });
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(JSON.parse(stdout)).toEqual({
        retried: 'stub: flaky',
        not_retried: [0, 'network_error'],
        upload: [0, 'network_error'],
        bad_key: [0, 'invalid_request', 'idempotency_key'],
      });
      const [first, second, streamed, given, session, turn, streamedTurn, ...rest] = stub.seen;
      for (const request of [first, second, streamed, session, turn, streamedTurn]) expect(request.key).toMatch(UUID_V4);
      expect(new Set([first, second, streamed, session, turn, streamedTurn].map((s) => s.key)).size).toBe(6);
      expect([first, streamed, given, session, turn, streamedTurn].map((s) => `${s.method} ${s.path}`)).toEqual([
        'POST /run',
        'POST /run',
        'POST /run',
        'POST /sessions',
        'POST /sessions/s1/turn',
        'POST /sessions/s1/turn',
      ]);
      expect(given.key).toBe('order-42/summary');
      expect(rest.map((s) => `${s.method} ${s.path} ${s.key}`)).toEqual([
        'DELETE /sessions/s1 null',
        'POST /sessions session-1',
        'POST /sessions/s1/turn turn-1',
        'POST /sessions/s1/turn turn-2',
        'DELETE /sessions/s1 null',
        ...Array(3).fill(`POST /run ${rest[5].key}`),
        `POST /run ${rest[8].key}`,
        'POST /files null',
        'POST /run null',
      ]);
      expect(rest[5].key).toMatch(UUID_V4);
      expect(rest[8].key).not.toBe(rest[5].key);
    } finally {
      await stub.close();
    }
  });

  it('answers a run sent again under its Idempotency-Key with the first answer, replayed and billed once', async () => {
    const script = `
import json, os
from clawdforge import Clawdforge, ClawdforgeError
cf = Clawdforge(os.environ["CLAWDFORGE_URL"], os.environ["TOKEN"])
before = cf.usage()["today"]["runs"]
first = cf.run("once, under a key", idempotency_key="py-retry-1")
again = cf.run("once, under a key", idempotency_key="py-retry-1")
seen = {"same": first == again, "result": again["result"], "runs": cf.usage()["today"]["runs"] - before}
try:
    cf.run("another request", idempotency_key="py-retry-1")
except ClawdforgeError as error:
    seen["reused"] = [error.status, error.code]
print(json.dumps(seen))
`;
    const { code, stdout, stderr } = await python(script, { ...env, TOKEN: await t.mintToken('python-retry') });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(stdout)).toEqual({ same: true, result: 'You said: once, under a key', runs: 1, reused: [422, 'idempotency_key_reused'] });
    await t.app.get(AuditService).flush();
    const rows = (await t.admin('get', '/admin/audit').query({ token: 'python-retry', route: '/run', limit: '3' }).expect(200)).body.items as { status: number; replayed: boolean | null }[];
    expect(rows.map((row) => [row.status, row.replayed])).toEqual([
      [422, null],
      [200, true],
      [200, null],
    ]);
  });

  it('types its answers with the fields of the OpenAPI document', async () => {
    const schemas = (await t.http().get('/docs-json').expect(200)).body.components.schemas as Record<string, { properties: Record<string, unknown> }>;
    const script = `
import json, clawdforge as cf
print(json.dumps({name: sorted(getattr(cf, name).__annotations__) for name in ("RunResult", "StoredFile", "UploadedFile", "SessionState")}))
`;
    const { code, stdout, stderr } = await python(script, env);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const fields = (schema: string) => Object.keys(schemas[schema].properties).sort();
    expect(JSON.parse(stdout)).toEqual({
      RunResult: fields('RunResponseDto'),
      StoredFile: fields('StoredFileView'),
      UploadedFile: fields('UploadedFileResponse'),
      SessionState: fields('SessionResponse'),
    });
  });

  it('uploads a file from its path, and mints a token with the admin token', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'clawdforge-py-')), 'receipt total.txt');
    fs.writeFileSync(file, 'total: 12.50\n');
    const script = `
import json, os
from clawdforge import Clawdforge
admin = Clawdforge(os.environ["CLAWDFORGE_URL"], os.environ["ADMIN"])
minted = admin.admin_create_token("py-minted", runs_per_minute=5)
app = Clawdforge(os.environ["CLAWDFORGE_URL"], minted["token"])
print(json.dumps({"limit": minted["runs_per_minute"], "upload": app.upload(os.environ["FILE"])["name"]}))
`;
    const { code, stdout, stderr } = await python(script, { ...env, ADMIN: ADMIN_TOKEN, FILE: file });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(stdout)).toEqual({ limit: 5, upload: 'receipt total.txt' });
  });
});
