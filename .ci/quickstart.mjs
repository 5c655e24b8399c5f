#!/usr/bin/env node
// The README's quick start, run literally: the set-up command is read from README.md (the code span
// after the `quickstart:setup` marker) and run through `sh -c` in this checkout, on a free loopback
// port with a temporary DATA_DIR and a temporary, empty claude login directory. Then /healthz must
// answer 200, the README's admin CLI command must mint a token that the running server accepts at
// once, the README's login step must name commands the pinned claude has (and the doctor command
// must report each of the login's forms), the README's first run must reach the server and be told
// to log in, and the server must stop cleanly when its process group gets SIGTERM. Every relative
// link in README.md and docs/ must lead to a file and heading that exist. Any step failing exits 1.
// Plain Node, no dependencies: it runs before anything is installed.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const SETUP_MINUTES = 15;

function markerAt(marker) {
  const at = readme.indexOf(`<!-- quickstart:${marker} -->`);
  if (at < 0) fail(`README.md has no <!-- quickstart:${marker} --> marker`);
  return at;
}

function commandAfter(marker) {
  const match = /`([^`\n]+)`/.exec(readme.slice(markerAt(marker)));
  if (!match) fail(`README.md has no command after <!-- quickstart:${marker} -->`);
  return match[1];
}

/** The text from a marker up to the next marker or heading. */
function sectionAfter(marker) {
  const from = markerAt(marker);
  const rest = readme.slice(from + marker.length + 20);
  const end = rest.search(/<!-- quickstart:|^#/m);
  return rest.slice(0, end < 0 ? undefined : end);
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

checkLinks();

const setup = commandAfter('setup');
const mint = commandAfter('mint');
const doctor = commandAfter('doctor');
const firstRun = commandAfter('first-run');
const login = sectionAfter('login').replace(/\s+/g, ' ');
const adminToken = /ADMIN_BOOTSTRAP_TOKEN=(\S+)/.exec(setup)?.[1];
if (!adminToken) fail(`the set-up command does not set ADMIN_BOOTSTRAP_TOKEN: ${setup}`);

const port = await freePort();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clawdforge-quickstart-'));
// Logged out, whatever this machine's own login: the server and the doctor see an empty login directory.
const loginDir = path.join(dataDir, 'claude-login');
const env = { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, CLAUDE_CONFIG_DIR: loginDir };
for (const name of ['ADMIN_BOOTSTRAP_TOKEN', 'ADMIN_BOOTSTRAP_TOKEN_FILE', 'ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN']) delete env[name];
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

checkLogin();
checkDoctor();
await checkFirstRun(token);

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

/** The README's login step: its words are there, and each `npx claude …` it names is something the pinned claude has. */
function checkLogin() {
  for (const words of ['npx claude /login', 'npx claude setup-token', 'CLAUDE_CODE_OAUTH_TOKEN', 'ANTHROPIC_API_KEY', 'as the user the server runs']) {
    if (!login.includes(words)) abort(`the README's login step does not say "${words}"`);
  }
  const commands = [...login.matchAll(/`npx claude ([^`]+)`/g)].map((m) => m[1].trim());
  // A sandbox of its own for the pinned claude: nothing it writes lands in a real home.
  const claudeEnv = { ...env, HOME: dataDir };
  const claude = (args) => spawnSync('npx', ['--no-install', 'claude', ...args], { cwd: root, env: claudeEnv, encoding: 'utf8', timeout: 60_000 });
  // A slash command the CLI does not have goes to the model as a prompt; one it has answers by itself.
  const unknown = claude(['-p', '/no-such-command']);
  for (const command of commands) {
    const [name] = command.split(/\s+/);
    if (name.startsWith('/')) {
      const known = claude(['-p', name]);
      const said = `${known.stdout}${known.stderr}`.trim();
      if (known.status !== 0 || said === `${unknown.stdout}${unknown.stderr}`.trim()) abort(`the pinned claude has no ${name} command: claude -p ${name} → ${known.status} ${said}`);
      say(`npx claude ${name}: the pinned claude has it (${said})`);
    } else {
      const help = claude([name, '--help']);
      if (help.status !== 0 || !help.stdout.includes(`Usage: claude ${name}`)) abort(`the pinned claude has no "${name}" command: ${help.status} ${help.stdout}${help.stderr}`);
      say(`npx claude ${name}: the pinned claude has it (${help.stdout.split('\n').find((line) => line.trim() && !line.startsWith('Usage'))?.trim()})`);
    }
  }
}

/** The README's doctor command reports the login in each of the forms the login step offers. */
function checkDoctor() {
  const forms = [
    [{}, /^FAIL +claude login: not logged in/m],
    [{ CLAUDE_CODE_OAUTH_TOKEN: 'sk-ant-oat01-quickstart-not-a-real-token' }, /^ok +claude login: logged in with oauth_token/m],
    [{ ANTHROPIC_API_KEY: 'sk-ant-api03-quickstart-not-a-real-key' }, /^ok +claude login: logged in with api_key/m],
  ];
  for (const [extra, expected] of forms) {
    const shown = Object.keys(extra)[0] ?? 'no login';
    const run = spawnSync('sh', ['-c', doctor], { cwd: root, env: { ...env, ...extra }, encoding: 'utf8', timeout: 120_000 });
    const line = expected.exec(run.stdout ?? '')?.[0];
    if (!line) abort(`the README's doctor command (${doctor}) with ${shown} did not say ${expected}:\n${run.stdout}\n${run.stderr}`);
    say(`${doctor} with ${shown}: "${line}"`);
  }
}

/** The README's first run, sent with the minted token before any login: the server tells it to log in. */
async function checkFirstRun(token) {
  if (!firstRun.includes('http://localhost:8800/') || !firstRun.includes('$TOKEN')) abort(`the README's first run does not call http://localhost:8800/ with $TOKEN: ${firstRun}`);
  const command = firstRun.replaceAll('http://localhost:8800/', `${base}/`);
  const run = spawnSync('sh', ['-c', command], { cwd: root, env: { ...env, TOKEN: token }, encoding: 'utf8', timeout: 120_000 });
  let answer;
  try {
    answer = JSON.parse(run.stdout);
  } catch {
    abort(`the README's first run printed no JSON: ${run.status} ${run.stdout} ${run.stderr}`);
  }
  if (answer?.error?.code !== 'upstream_auth' || !/claude \/login/.test(answer.error.message)) abort(`the README's first run, logged out, did not answer upstream_auth naming claude /login: ${run.stdout}`);
  say(`the README's first run, before the login: ${run.stdout.trim()}`);
}

/** Every relative link of README.md and docs/*.md leads to a file there, and its #fragment to a heading in it. */
function checkLinks() {
  const pages = ['README.md', ...fs.readdirSync(path.join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];
  const anchors = (file) => {
    const text = fs.readFileSync(path.join(root, file), 'utf8').replace(/^```[\s\S]*?^```/gm, '');
    return new Set(
      [...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
        m[1]
          .toLowerCase()
          .replace(/[^\p{L}\p{N} _-]/gu, '')
          .replace(/ /g, '-'),
      ),
    );
  };
  let count = 0;
  for (const page of pages) {
    const text = fs.readFileSync(path.join(root, page), 'utf8');
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      const [file, fragment] = target.split('#');
      const resolved = file ? path.relative(root, path.resolve(root, path.dirname(page), file)) : page;
      if (!fs.existsSync(path.join(root, resolved))) fail(`${page} links to ${target}, which is not a file`);
      if (fragment && !anchors(resolved).has(fragment)) fail(`${page} links to ${target}, which is not a heading of ${resolved}`);
      count += 1;
    }
  }
  say(`${count} links in ${pages.length} pages lead to files and headings that exist`);
}
