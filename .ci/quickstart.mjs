#!/usr/bin/env node
// The README's quick start, run literally: the set-up command is read from README.md (the code span
// after the `quickstart:setup` marker) and run through `sh -c` in this checkout, on a free loopback
// port with a temporary DATA_DIR. Then /healthz must answer 200, the README's admin CLI command must
// mint a token that the running server accepts at once, and the server must stop cleanly when its
// process group gets SIGTERM. Any step failing exits 1. Plain Node, no dependencies: it runs before
// anything is installed.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const SETUP_MINUTES = 15;

function commandAfter(marker) {
  const at = readme.indexOf(`<!-- quickstart:${marker} -->`);
  if (at < 0) fail(`README.md has no <!-- quickstart:${marker} --> marker`);
  const match = /`([^`\n]+)`/.exec(readme.slice(at));
  if (!match) fail(`README.md has no command after <!-- quickstart:${marker} -->`);
  return match[1];
}

function fail(message) {
  process.stderr.write(`quickstart: FAIL: ${message}\n`);
  process.exit(1);
}

function say(message) {
  process.stdout.write(`quickstart: ${message}\n`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const setup = commandAfter('setup');
const mint = commandAfter('mint');
const adminToken = /ADMIN_BOOTSTRAP_TOKEN=(\S+)/.exec(setup)?.[1];
if (!adminToken) fail(`the set-up command does not set ADMIN_BOOTSTRAP_TOKEN: ${setup}`);

const port = await freePort();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clawdforge-quickstart-'));
const env = { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir };
delete env.ADMIN_BOOTSTRAP_TOKEN;
const base = `http://127.0.0.1:${port}`;

say(`running the README's set-up command: ${setup}`);
say(`(PORT=${port} HOST=127.0.0.1 DATA_DIR=${dataDir})`);
const server = spawn('sh', ['-c', setup], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
let log = '';
const keep = (chunk) => {
  log += chunk;
  if (log.length > 200_000) log = log.slice(-100_000);
};
server.stdout.on('data', keep);
server.stderr.on('data', keep);
// 'close', not 'exit': the shell ends at once on SIGTERM, the server's last log lines come after.
const exited = new Promise((resolve) => server.once('close', (code, signal) => resolve({ code, signal })));
const stopGroup = (signal) => {
  try {
    process.kill(-server.pid, signal);
  } catch {
    // already gone
  }
};
const abort = (message) => {
  stopGroup('SIGKILL');
  process.stderr.write(`${log.slice(-8000)}\n`);
  fail(message);
};

const deadline = Date.now() + SETUP_MINUTES * 60_000;
let health;
while (!health) {
  if (server.exitCode !== null || server.signalCode !== null) abort(`the set-up command exited (${server.exitCode ?? server.signalCode}) before /healthz answered`);
  if (Date.now() > deadline) abort(`/healthz did not answer within ${SETUP_MINUTES} minutes`);
  try {
    const res = await fetch(`${base}/healthz`);
    if (res.status !== 200) abort(`/healthz answered ${res.status}`);
    health = await res.json();
  } catch {
    await sleep(500);
  }
}
say(`GET /healthz → 200 ${JSON.stringify(health)}`);
const listening = /clawdforge listening on [^"]+/.exec(log)?.[0];
if (!listening) abort('the log does not say where the server listens');
say(`server log: ${listening}`);
if (!health.db_ok || !health.claude_present || !health.acpx_present) abort('/healthz does not report the database and both CLIs present');

say(`minting a token with the README's admin CLI command: ${mint}`);
const minted = spawnSync('sh', ['-c', mint], { cwd: root, env, encoding: 'utf8', timeout: 120_000 });
const token = /^cf_[A-Za-z0-9_-]{43}$/m.exec(minted.stdout ?? '')?.[0];
if (minted.status !== 0 || !token) abort(`the admin CLI exited ${minted.status} without a token:\n${minted.stdout}\n${minted.stderr}`);

const asApp = await fetch(`${base}/sessions`, { headers: { Authorization: `Bearer ${token}` } });
if (asApp.status !== 200) abort(`the running server refused the CLI's token: GET /sessions → ${asApp.status}`);
const listed = await fetch(`${base}/admin/tokens`, { headers: { Authorization: `Bearer ${adminToken}` } });
const names = listed.status === 200 ? (await listed.json()).items.map((item) => item.name) : [];
if (names.length !== 1) abort(`GET /admin/tokens with the README's admin token → ${listed.status} ${JSON.stringify(names)}`);
say(`the server accepts the minted token (GET /sessions → 200) and lists it (GET /admin/tokens → ${JSON.stringify(names)})`);

say(`stopping the process group of pid ${server.pid} with SIGTERM`);
stopGroup('SIGTERM');
const stopped = await Promise.race([exited, sleep(60_000).then(() => null)]);
if (!stopped) abort('the server did not stop within 60 s of SIGTERM');
if (!/"msg":"clawdforge stopped"/.test(log)) abort('the server did not log a clean stop');
try {
  await fetch(`${base}/healthz`);
  abort('the port still answers after the server stopped');
} catch {
  // refused: the server is gone
}
fs.rmSync(dataDir, { recursive: true, force: true });
say(`stopped (${stopped.code ?? stopped.signal}); the quick start works`);
