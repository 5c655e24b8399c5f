import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FakeModelApi } from '../../test/fixtures/fake-model-api/fake-model-api';
import { answerTo, lastPrompt, ModelScript, toolResultTexts } from './model-script';
import { Podman } from './podman';
import { Health, ServerContainer, Volumes } from './server-container';

export type Step = <T>(name: string, body: () => Promise<T>) => Promise<T>;

export interface WalkContext {
  podman: Podman;
  image: string;
  work: string;
  api: FakeModelApi;
  script: ModelScript;
  step: Step;
  say: (line: string) => void;
  figure: (name: string, value: string) => void;
  freePort: () => Promise<number>;
  pins: { claude: string; acpx: string };
}

/** What `claude /login` leaves in the login directory: an OAuth credential the CLI reads from there. */
const LOGIN = { claudeAiOauth: { accessToken: `sk-ant-oat01-${randomBytes(12).toString('hex')}`, refreshToken: 'sk-ant-ort01-unused', expiresAt: 4102444800000, scopes: ['user:inference', 'user:profile'], subscriptionType: 'max' } };

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/**
 * The deploy road of docs/deploy.md against the built image, as compose.yml runs it: start, health,
 * the one-time login inside the container, doctor, the first token, a run and a two-turn session
 * through the real CLIs inside; then a new container on the same volumes (upgrade) with
 * approve-all, whose shell must run in bubblewrap; and approve-all without the /proc unmask, which
 * the server must refuse. Each step throws on the first thing that is not as documented.
 */
export async function walkDeployRoad(ctx: WalkContext): Promise<void> {
  const live: { container: ServerContainer | null } = { container: null };
  try {
    await walk(ctx, live);
  } catch (error) {
    if (live.container) ctx.say(`the last lines ${live.container.name} logged:\n${(await live.container.logs()).trimEnd().split('\n').slice(-LOG_LINES).join('\n')}`);
    throw error;
  }
}

const LOG_LINES = 40;

async function walk(ctx: WalkContext, live: { container: ServerContainer | null }): Promise<void> {
  const { podman, step } = ctx;
  const id = randomBytes(3).toString('hex');
  const admin = randomBytes(24).toString('hex');
  const env = {
    ADMIN_BOOTSTRAP_TOKEN: admin,
    HOST: '127.0.0.1',
    ANTHROPIC_BASE_URL: ctx.api.url,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  };
  const volumes = await step('volumes: /data a host directory owned by the image user, the login a named volume', () => makeVolumes(ctx, id));
  const port = await ctx.freePort();
  const first = await step('start: /healthz answers', async () => {
    const { container, healthySecs } = await ServerContainer.start(podman, { name: `clawdforge-ct-${id}-a`, image: ctx.image, port, env, volumes, work: ctx.work });
    ctx.figure('start to /healthz', `${healthySecs} s`);
    live.container = container;
    return container;
  });

  await step('/healthz: CLIs present at the pinned versions, agents as configured, not logged in yet', async () => {
    const health = await first.health();
    expectClis(health, ctx.pins);
    assert(health.agents.session_permissions === 'approve-reads' && health.agents.shell_sandbox === 'not_needed' && !health.agents.unsandboxed_agents, `agents: ${JSON.stringify(health.agents)}`);
    assert(health.claude_logged_in === false, 'claude_logged_in before any login');
  });
  await step('the console is served from the image: its page under its CSP, and the script it names', async () => {
    const page = await fetch(`${first.base}/console`);
    const html = await page.text();
    assert(page.status === 200 && /frame-ancestors 'none'/.test(page.headers.get('content-security-policy') ?? ''), `/console: ${page.status} ${page.headers.get('content-security-policy')}`);
    const script = /src="([^"]+\.js)"/.exec(html)?.[1];
    const asset = script === undefined ? undefined : await fetch(new URL(script, `${first.base}/console/`));
    assert(asset?.status === 200, `the console's script ${script ?? '(none named)'}: ${asset?.status}`);
  });
  await step('the server runs as the image user, not root', async () => {
    const status = await first.exec(['cat', '/proc/1/status']);
    const uid = /^Uid:\s+(\d+)/m.exec(status.stdout)?.[1];
    const own = (await first.exec(['id', '-u', 'clawdforge'])).stdout.trim();
    assert(uid !== undefined && uid !== '0' && uid === own, `PID 1 runs as uid ${uid}, the image user is ${own}`);
  });
  await step('the HEALTHCHECK command passes', async () => {
    const ran = await podman.cmd(['healthcheck', 'run', first.name], { allowFailure: true });
    assert(ran.code === 0, `podman healthcheck run: exit ${ran.code} ${ran.stdout}${ran.stderr}`);
  });
  await step('the Claude Agent SDK binary is left out of the image', async () => {
    const found = await first.exec(['sh', '-c', 'ls -d /app/node_modules/@anthropic-ai/claude-agent-sdk-linux-* 2>/dev/null']);
    assert(found.stdout.trim() === '', `still there: ${found.stdout.trim()}`);
  });
  await step('doctor before the login fails on the login alone, naming claude /login', async () => {
    const doctor = await first.exec(['clawdforge', 'doctor']);
    const failing = doctor.stdout.split('\n').filter((line) => line.startsWith('FAIL'));
    assert(doctor.code === 1 && failing.length === 1 && /^FAIL {2}claude login: .*claude \/login/.test(failing[0]), `doctor (exit ${doctor.code}):\n${doctor.stdout}${doctor.stderr}`);
  });
  await step('the one-time login inside the container lands in the login directory; doctor sees it', async () => {
    const wrote = await first.exec(['sh', '-c', 'umask 077 && cat > "$HOME/.claude/.credentials.json"'], JSON.stringify(LOGIN));
    assert(wrote.code === 0, `writing the login: ${wrote.stderr}`);
    const doctor = await first.exec(['clawdforge', 'doctor']);
    assert(doctor.code === 0 && doctor.stdout.includes('ok    claude login: logged in with claude.ai'), `doctor (exit ${doctor.code}):\n${doctor.stdout}${doctor.stderr}`);
  });
  const token = await step('clawdforge tokens create through podman exec mints a token the API takes', async () => {
    const minted = await first.exec(['clawdforge', 'tokens', 'create', `ct-${id}`]);
    const token = /cf_[A-Za-z0-9_-]{20,}/.exec(minted.stdout)?.[0];
    assert(minted.code === 0 && token, `tokens create (exit ${minted.code}): ${minted.stdout}${minted.stderr}`);
    const listed = await first.call('GET', '/sessions', token);
    assert(listed.status === 200, `GET /sessions with the new token: ${listed.status}`);
    return token;
  });
  await step('POST /run through the pinned claude inside, on the login', async () => {
    const prompt = `run check ${randomBytes(4).toString('hex')}`;
    const ran = await first.call('POST', '/run', token, { prompt, timeout_secs: 120 });
    assert(ran.status === 200 && ran.body.ok === true && ran.body.result === answerTo(prompt), `POST /run: ${ran.status} ${JSON.stringify(ran.body)}`);
    const call = ctx.api.messageRequests.find((r) => lastPrompt(r) === prompt);
    assert(call?.headers.authorization === `Bearer ${LOGIN.claudeAiOauth.accessToken}`, 'the model call did not carry the login from the login directory');
  });
  const session = await step('a two-turn session through acpx, the adapter and the pinned claude inside', async () => {
    const created = await first.call('POST', '/sessions', token, { agent: 'claude' });
    assert(created.status === 201, `POST /sessions: ${created.status} ${JSON.stringify(created.body)}`);
    const sessionId = created.body.session_id as string;
    const firstPrompt = `first turn ${randomBytes(4).toString('hex')}`;
    await turn(first, token, sessionId, firstPrompt, 1);
    const secondPrompt = `second turn ${randomBytes(4).toString('hex')}`;
    await turn(first, token, sessionId, secondPrompt, 2);
    const call = ctx.api.messageRequests.find((r) => lastPrompt(r) === secondPrompt);
    assert(JSON.stringify(call?.body?.messages).includes(firstPrompt), 'the second turn did not carry the first one');
    return { id: sessionId, firstPrompt };
  });
  await step('podman stop ends the server gracefully within compose\'s 45 s grace', async () => {
    const stopped = await first.stop();
    ctx.figure('graceful stop', `${stopped.secs} s`);
    assert(stopped.exitCode === 0, `exit code ${stopped.exitCode}:\n${(await first.logs()).slice(-2000)}`);
    await podman.remove(first.name);
  });

  const approveAll = { ...env, SESSION_PERMISSIONS: 'approve-all' };
  const second = await step('a new container on the same volumes, approve-all with /proc unmasked: /healthz answers', async () => {
    const { container, healthySecs } = await ServerContainer.start(podman, {
      name: `clawdforge-ct-${id}-b`, image: ctx.image, port, env: approveAll, volumes, work: ctx.work, flags: ['--security-opt', 'unmask=/proc/*'],
    });
    ctx.figure('restart to /healthz', `${healthySecs} s`);
    live.container = container;
    return container;
  });
  await step('after the restart: the token, the session ledger and the login (in /healthz and doctor) are kept', async () => {
    const kept = await second.call('GET', `/sessions/${session.id}`, token);
    assert(kept.status === 200 && kept.body.turn_count === 2, `GET /sessions/${session.id}: ${kept.status} ${JSON.stringify(kept.body)}`);
    const health = await second.health();
    assert(health.claude_logged_in && health.claude_login?.method === 'claude.ai', `login after the restart: ${JSON.stringify(health.claude_login)}`);
    const doctor = await second.exec(['clawdforge', 'doctor']);
    assert(doctor.code === 0, `doctor after the restart (exit ${doctor.code}):\n${doctor.stdout}`);
  });
  await step('the session opened before the restart takes a third turn with its earlier context', async () => {
    const thirdPrompt = `third turn ${randomBytes(4).toString('hex')}`;
    await turn(second, token, session.id, thirdPrompt, 3);
    const call = ctx.api.messageRequests.find((r) => lastPrompt(r) === thirdPrompt);
    assert(JSON.stringify(call?.body?.messages).includes(session.firstPrompt), 'the third turn did not carry the first one');
  });
  await step('/healthz: approve-all with its shell in bubblewrap', async () => {
    const health = await second.health();
    expectClis(health, ctx.pins);
    assert(health.agents.session_permissions === 'approve-all' && health.agents.shell_sandbox === 'bwrap' && !health.agents.unsandboxed_agents, `agents: ${JSON.stringify(health.agents)}`);
  });
  await step('an approve-all session runs its shell in bubblewrap: own PID namespace, /data hidden but its own directory', async () => {
    const seenByServer = (await second.exec(['ls', '-A', '/data'])).stdout.split('\n').filter(Boolean);
    const created = await second.call('POST', '/sessions', token, { agent: 'claude' });
    assert(created.status === 201, `POST /sessions: ${created.status} ${JSON.stringify(created.body)}`);
    const marker = `shell-${randomBytes(4).toString('hex')}`;
    ctx.script.armShell(`echo "pid1: $(tr '\\0' ' ' < /proc/1/cmdline)"; echo "data: $(ls -A /data | tr '\\n' ' ')"; echo ${marker} > shell-check.txt; cat shell-check.txt`);
    const before = ctx.api.messageRequests.length;
    await turn(second, token, created.body.session_id as string, `shell check ${marker}`, 1);
    const result = toolResultTexts(ctx.api.messageRequests.slice(before)).find((text) => text.includes('pid1:'));
    assert(result, `no shell result reached the model: ${JSON.stringify(toolResultTexts(ctx.api.messageRequests.slice(before)))}`);
    assert(result.includes(marker), `the shell could not write in its own directory: ${result}`);
    assert(!result.includes('dist/apps/server/src/main.js'), `the shell shares the server's PID namespace: ${result}`);
    const visible = /data: ([^\\\n"]*)/.exec(result)?.[1].trim().split(/\s+/) ?? [];
    ctx.figure('/data as the sandboxed shell sees it', visible.join(' ') || '(empty)');
    const hidden = seenByServer.filter((entry) => !visible.includes(entry));
    assert(hidden.length > 0, `the shell sees all of /data (${visible.join(' ')})`);
  });
  await step('podman stop ends the approve-all server gracefully', async () => {
    const stopped = await second.stop();
    assert(stopped.exitCode === 0, `exit code ${stopped.exitCode}`);
  });
  await step('approve-all without the /proc unmask: the server refuses to start, saying why', async () => {
    const name = `clawdforge-ct-${id}-c`;
    await podman.start(name, ctx.image, ['--env', `ADMIN_BOOTSTRAP_TOKEN=${admin}`, '--env', 'SESSION_PERMISSIONS=approve-all', '--env', `PORT=${await ctx.freePort()}`, '--env', 'HOST=127.0.0.1']);
    const waited = await podman.cmd(['wait', name], { allowFailure: true, timeoutMs: 60_000 });
    const printed = await podman.cmd(['logs', name], { allowFailure: true });
    const logs = `${printed.stdout}${printed.stderr}`;
    assert(waited.code === 0 && waited.stdout.trim() !== '0' && logs.includes('SESSION_PERMISSIONS is approve-all'), `exit ${waited.stdout.trim()}:\n${logs.slice(-2000)}`);
  });
}

async function makeVolumes(ctx: WalkContext, id: string): Promise<Volumes> {
  const uid = await ctx.podman.cmd(['run', '--rm', ...ctx.podman.ulimits, '--entrypoint', 'id', ctx.image, '-u']);
  const gid = await ctx.podman.cmd(['run', '--rm', ...ctx.podman.ulimits, '--entrypoint', 'id', ctx.image, '-g']);
  const dataDir = fs.mkdtempSync(path.join(ctx.work, 'data-'));
  fs.chownSync(dataDir, Number(uid.stdout.trim()), Number(gid.stdout.trim()));
  const loginVolume = await ctx.podman.createVolume(`clawdforge-ct-${id}-login`);
  return { dataDir, loginVolume };
}

function expectClis(health: Health, pins: { claude: string; acpx: string }): void {
  assert(health.ok && health.db_ok, `/healthz: ${JSON.stringify(health)}`);
  assert(health.claude_present && health.claude_version?.startsWith(pins.claude), `claude: ${health.claude_version}, pinned ${pins.claude}`);
  assert(health.acpx_present && health.acpx_version === pins.acpx, `acpx: ${health.acpx_version}, pinned ${pins.acpx}`);
}

async function turn(container: ServerContainer, token: string, sessionId: string, prompt: string, index: number): Promise<void> {
  const res = await container.call('POST', `/sessions/${sessionId}/turn`, token, { prompt, timeout_secs: 180 });
  assert(res.status === 200 && res.body.turn_index === index && res.body.stop_reason === 'end_turn', `turn ${index}: ${res.status} ${JSON.stringify(res.body).slice(0, 2000)}`);
  const text = (res.body.events as { params?: { update?: { sessionUpdate?: string; content?: { text?: string } } } }[])
    .filter((event) => event.params?.update?.sessionUpdate === 'agent_message_chunk')
    .map((event) => event.params!.update!.content!.text)
    .join('');
  assert(text === answerTo(prompt), `turn ${index} answered "${text}"`);
}
