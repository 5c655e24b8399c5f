/**
 * npm run bench: /run through the built server against the same CLI spawned directly, measured
 * side by side in one run, on this machine. Prints a markdown report; `-- --write` also saves it
 * to BENCHMARKS.md.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildChildEnv } from '../libs/runners/src/child-env';
import { FakeModelApi } from '../test/fixtures/fake-model-api/fake-model-api';
import { load, machine, mintToken, percentile, ROOT, rssMiB, spawnOnce, startServer, treeRssMiB } from './bench-support';
import { cheapRequestsSection } from './cheap-requests';
import { compatOverheadSection } from './compat-overhead';

const FAKE_CLAUDE = path.join(ROOT, 'test', 'fixtures', 'fake-cli', 'claude');
const REAL_CLAUDE = path.join(ROOT, 'node_modules', '.bin', 'claude');
const SEQUENTIAL = 60;
const PER_LEVEL = 64;
const REAL_RUNS = 10;
/** Between sequential real runs: time for the pool to have a spare ready again. */
const PAUSE_MS = 1500;
const ACPX = path.join(ROOT, 'node_modules', '.bin', 'acpx');
const FAKE_AGENT = `${process.execPath} ${path.join(ROOT, 'test', 'fixtures', 'fake-acp-agent', 'agent.mjs')}`;
const TURNS = 6;

const ms = (value: number) => `${value.toFixed(1)} ms`;
const lines: string[] = [];
const say = (line = '') => {
  lines.push(line);
  console.log(line);
};

/** p50/p95 of a direct and a through-the-server measurement, and their ratios. */
function latencyTable(directLabel: string, direct: number[], serverLabel: string, server: number[], ratioLabel = 'server / direct'): void {
  say('| | p50 | p95 |');
  say('|---|---|---|');
  say(`| ${directLabel} | ${ms(percentile(direct, 50))} | ${ms(percentile(direct, 95))} |`);
  say(`| ${serverLabel} | ${ms(percentile(server, 50))} | ${ms(percentile(server, 95))} |`);
  say(`| ratio ${ratioLabel} | ${(percentile(server, 50) / percentile(direct, 50)).toFixed(2)} | ${(percentile(server, 95) / percentile(direct, 95)).toFixed(2)} |`);
  say();
}

/** ms from spawn to the first text-delta line of a streaming claude -p. */
async function firstLine(bin: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
  const started = performance.now();
  const child = spawn(bin, args, { env, cwd, stdio: ['pipe', 'pipe', 'ignore'] });
  child.stdin.end(`${JSON.stringify({ type: 'user', message: { role: 'user', content: [{ type: 'text', text: 'hello' }] } })}\n`);
  let at = -1;
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    if (at < 0 && buffer.includes('"text_delta"')) at = performance.now() - started;
  });
  await new Promise((resolve) => child.on('close', resolve));
  return at;
}

/** ms from sending POST /run with Accept: text/event-stream to its first delta event. */
async function firstSseDelta(url: string, token: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${url}/run`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'text/event-stream' },
    body: JSON.stringify({ prompt: 'hello' }),
  });
  let at = -1;
  let text = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    text += Buffer.from(chunk).toString('utf8');
    if (at < 0 && text.includes('event: delta')) at = performance.now() - started;
  }
  return at;
}

async function postRun(url: string, token: string, body: object): Promise<void> {
  const res = await fetch(`${url}/run`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`/run answered ${res.status}: ${await res.text()}`);
  await res.arrayBuffer();
}

async function fakeCliSection(): Promise<void> {
  // The pool off: this section measures what the gateway itself adds to a spawn.
  const server = await startServer({ CLAUDE_BIN: FAKE_CLAUDE, MAX_CONCURRENT_RUNS: '16', RUN_QUEUE_MAX: '1000', RUN_WARM_POOL: '0' });
  try {
    const token = await mintToken(server.url, 'bench');
    const pid = server.child.pid!;
    await postRun(server.url, token, { prompt: 'warm-up' });
    const idleRss = rssMiB(pid);
    const healthIdle = await load(200, 4, async () => void (await (await fetch(`${server.url}/healthz`)).arrayBuffer()));
    // The environment the server gives its children, so both sides pay the same start-up costs
    // (NODE_EXTRA_CA_CERTS alone adds tens of milliseconds to every Node child here).
    const env = buildChildEnv(process.env);
    const args = ['--print', '--output-format=json', '--model=sonnet'];

    const direct = await load(SEQUENTIAL, 1, async () => void (await spawnOnce(FAKE_CLAUDE, args, 'hello', env)));
    const through = await load(SEQUENTIAL, 1, () => postRun(server.url, token, { prompt: 'hello' }));
    say('## /run with an instant fake CLI (process-boundary stand-in), warm pool off');
    say();
    say(`${SEQUENTIAL} sequential runs each way: what the gateway adds to a spawn.`);
    say();
    latencyTable('direct spawn of the fake CLI', direct.latencies, 'POST /run through the server', through.latencies);

    // The same runs for a token under every limit: the policy's own cost is the difference.
    const governed = await mintToken(server.url, 'bench-governed', {
      models: ['sonnet', 'haiku'],
      max_concurrent_runs: 8,
      runs_per_minute: 100_000,
      budget_usd_day: 1_000_000,
      budget_usd_month: 1_000_000,
    });
    const plain = await load(SEQUENTIAL, 1, () => postRun(server.url, token, { prompt: 'hello' }));
    const limited = await load(SEQUENTIAL, 1, () => postRun(server.url, governed, { prompt: 'hello' }));
    say('Policy checks (models, rate, both budgets, a share of the slots) against none, same runs:');
    say();
    latencyTable('POST /run, token without limits', plain.latencies, 'POST /run, token with every limit', limited.latencies, 'with limits / without');
    say(`p50 difference: ${(percentile(limited.latencies, 50) - percentile(plain.latencies, 50)).toFixed(1)} ms.`);
    say();

    say('| concurrency | runs/s through the server | runs/s direct | ratio | server RSS peak |');
    say('|---|---|---|---|---|');
    for (const concurrency of [1, 4, 16]) {
      let peak = rssMiB(pid);
      const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 20);
      const served = await load(PER_LEVEL, concurrency, () => postRun(server.url, token, { prompt: 'hello' }));
      clearInterval(sampler);
      const spawned = await load(PER_LEVEL, concurrency, async () => void (await spawnOnce(FAKE_CLAUDE, args, 'hello', env)));
      const serverRate = PER_LEVEL / (served.wallMs / 1000);
      const directRate = PER_LEVEL / (spawned.wallMs / 1000);
      say(`| ${concurrency} | ${serverRate.toFixed(1)} | ${directRate.toFixed(1)} | ${(serverRate / directRate).toFixed(2)} | ${peak.toFixed(0)} MiB |`);
    }
    say();

    const busy = load(PER_LEVEL, 16, () => postRun(server.url, token, { prompt: 'FAKE:sleep:200' }));
    const health = await load(200, 4, async () => void (await (await fetch(`${server.url}/healthz`)).arrayBuffer()));
    await busy;
    say(`Server RSS idle: ${idleRss.toFixed(0)} MiB.`);
    say();
    say('| /healthz, 200 requests 4 at a time | p50 | p95 |');
    say('|---|---|---|');
    say(`| idle server | ${ms(percentile(healthIdle.latencies, 50))} | ${ms(percentile(healthIdle.latencies, 95))} |`);
    say(`| while 16 runs are in flight (both cores busy with CLI children) | ${ms(percentile(health.latencies, 50))} | ${ms(percentile(health.latencies, 95))} |`);
    say();
  } finally {
    await server.stop();
  }
}

/** Sequential samples of several ways to do the same thing, interleaved so all see the same machine. */
async function interleaved(rounds: number, pauseMs: number, ways: Record<string, () => Promise<void>>): Promise<Record<string, number[]>> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(ways).map((name) => [name, []]));
  for (let i = 0; i < rounds; i++) {
    for (const [name, work] of Object.entries(ways)) {
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
      samples[name].push(await timed(work));
    }
  }
  return samples;
}

async function realCliSection(): Promise<void> {
  const api = await FakeModelApi.start();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'clawdforge-bench-home-'));
  const cliEnv = {
    ANTHROPIC_BASE_URL: api.url,
    ANTHROPIC_API_KEY: 'sk-ant-test',
    DISABLE_AUTOUPDATER: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    HOME: home,
  };
  const pooled = await startServer({ ...cliEnv, MAX_CONCURRENT_RUNS: '16', RUN_QUEUE_MAX: '1000' });
  const unpooled = await startServer({ ...cliEnv, RUN_WARM_POOL: '0' });
  try {
    const token = await mintToken(pooled.url, 'bench');
    const coldToken = await mintToken(unpooled.url, 'bench');
    const args = ['--print', '--output-format=json', '--model=sonnet', '--no-session-persistence', '--strict-mcp-config', '--setting-sources=', '--tools='];
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'clawdforge-bench-run-'));
    const env = buildChildEnv({ ...process.env, ...cliEnv }, { CLAUDE_CODE_MAX_RETRIES: '2', DISABLE_AUTOUPDATER: '1' });
    // Each run finds its spare ready: runs come PAUSE_MS apart, as from apps that are not saturating the gateway.
    const runs = await interleaved(REAL_RUNS, PAUSE_MS, {
      direct: async () => void (await spawnOnce(REAL_CLAUDE, args, 'hello', env, cwd)),
      pooled: () => postRun(pooled.url, token, { prompt: 'hello' }),
      unpooled: () => postRun(unpooled.url, coldToken, { prompt: 'hello' }),
    });
    say('## /run with the real pinned claude CLI against a fake Messages API on loopback');
    say();
    say(`${REAL_RUNS} runs each way, interleaved, ${PAUSE_MS} ms apart (time for a spare to be ready again).`);
    say();
    say('| | p50 | p95 | p50 vs direct | p95 vs direct |');
    say('|---|---|---|---|---|');
    const row = (label: string, samples: number[]) =>
      say(`| ${label} | ${ms(percentile(samples, 50))} | ${ms(percentile(samples, 95))} | ${(percentile(samples, 50) / percentile(runs.direct, 50)).toFixed(2)} | ${(percentile(samples, 95) / percentile(runs.direct, 95)).toFixed(2)} |`);
    row('direct cold spawn of claude -p', runs.direct);
    row('POST /run, warm pool on (default)', runs.pooled);
    row('POST /run, warm pool off', runs.unpooled);
    say();

    // Time to the first text delta: the CLI's own first delta line against the server's first SSE delta.
    api.replyWith('one two three four five six');
    api.chunks = 6;
    api.chunkDelayMs = 50;
    // Two streaming runs first: from its second run the pool keeps the streaming configuration warm.
    await firstSseDelta(pooled.url, token);
    await firstSseDelta(pooled.url, token);
    const streamArgs = [...args, '--input-format=stream-json', '--output-format=stream-json', '--verbose', '--include-partial-messages'];
    const first: Record<string, number[]> = { direct: [], pooled: [], unpooled: [] };
    for (let i = 0; i < REAL_RUNS; i++) {
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
      first.direct.push(await firstLine(REAL_CLAUDE, streamArgs, env, cwd));
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
      first.pooled.push(await firstSseDelta(pooled.url, token));
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
      first.unpooled.push(await firstSseDelta(unpooled.url, coldToken));
    }
    say('Time to the first streamed text delta (the model sends 6 deltas 50 ms apart):');
    say();
    latencyTable('claude -p stream-json, first delta line', first.direct, 'POST /run as SSE, warm pool on', first.pooled);
    say(`Pool off, same runs: p50 ${ms(percentile(first.unpooled, 50))}, ${(percentile(first.unpooled, 50) / percentile(first.direct, 50)).toFixed(2)} × direct.`);
    say();

    // Back to back: a spare per configuration helps the first run of a burst; the rest start cold.
    say('Runs back to back (no pause), warm pool on, against direct spawns at the same concurrency:');
    say();
    say('| concurrency | runs | runs/s through the server | runs/s direct | ratio |');
    say('|---|---|---|---|---|');
    for (const [concurrency, total] of [
      [1, 8],
      [4, 16],
      [16, 32],
    ]) {
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
      const served = await load(total, concurrency, () => postRun(pooled.url, token, { prompt: 'hello' }));
      const spawned = await load(total, concurrency, async () => void (await spawnOnce(REAL_CLAUDE, args, 'hello', env, cwd)));
      const serverRate = total / (served.wallMs / 1000);
      const directRate = total / (spawned.wallMs / 1000);
      say(`| ${concurrency} | ${total} | ${serverRate.toFixed(2)} | ${directRate.toFixed(2)} | ${(serverRate / directRate).toFixed(2)} |`);
    }
    say();

    await new Promise((resolve) => setTimeout(resolve, 3 * PAUSE_MS));
    const health = (await (await fetch(`${pooled.url}/healthz`)).json()) as { warm_pool: { spares: number } };
    say(
      `Memory with the pool idle (${health.warm_pool.spares} spares): server ${rssMiB(pooled.child.pid!).toFixed(0)} MiB + spares ${(treeRssMiB(pooled.child.pid!) - rssMiB(pooled.child.pid!)).toFixed(0)} MiB; ` +
        `pool off: server ${treeRssMiB(unpooled.child.pid!).toFixed(0)} MiB in all.`,
    );
    say();
  } finally {
    await pooled.stop();
    await unpooled.stop();
    await api.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
}

async function timed<T>(work: () => Promise<T>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

async function send(url: string, token: string, method: string, route: string, body?: object): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}${route}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${method} ${route} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

/** One session through a server: create, TURNS turns PAUSE_MS apart (or back to back), close. */
async function serverSession(url: string, token: string, pauseMs: number): Promise<{ create: number; turns: number[]; close: number }> {
  let id = '';
  const create = await timed(async () => (id = (await send(url, token, 'POST', '/sessions', { agent: 'fake' })).session_id as string));
  const turns: number[] = [];
  for (let i = 0; i < TURNS; i++) {
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    turns.push(await timed(() => send(url, token, 'POST', `/sessions/${id}/turn`, { prompt: `turn ${i}` })));
  }
  const close = await timed(() => send(url, token, 'DELETE', `/sessions/${id}`));
  return { create, turns, close };
}

async function sessionsSection(): Promise<void> {
  const agentEnv = { ACPX_BIN: ACPX, SESSION_AGENTS: 'fake', SESSION_AGENT_COMMANDS: `fake=${FAKE_AGENT}` };
  const server = await startServer(agentEnv);
  const coldClients = await startServer({ ...agentEnv, SESSION_WARM_CLIENTS: '0' });
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'clawdforge-bench-acpx-'));
  try {
    const token = await mintToken(server.url, 'bench');
    const coldToken = await mintToken(coldClients.url, 'bench');
    const warmClients = await serverSession(server.url, token, PAUSE_MS);
    const startedClients = await serverSession(coldClients.url, coldToken, PAUSE_MS);
    const backToBack = await serverSession(server.url, token, 0);

    const cwd = fs.mkdtempSync(path.join(home, 'cwd-'));
    const env = buildChildEnv({ ...process.env, HOME: home });
    const acpx = (step: string[], prompt?: string) =>
      spawnOnce(ACPX, [`--cwd=${cwd}`, '--format=json', '--approve-reads', '--non-interactive-permissions=deny', '--model=sonnet', `--agent=${FAKE_AGENT}`, ...step], prompt ?? '', env);
    const directCreate = await timed(() => acpx(['sessions', 'new', '--name=bench']));
    const directTurns: number[] = [];
    for (let i = 0; i < TURNS; i++) {
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
      directTurns.push(await timed(() => acpx(['prompt', '--session=bench'], `turn ${i}`)));
    }
    const directClose = await timed(() => acpx(['sessions', 'close', 'bench']));

    // The first turn starts the agent process; the others reach it warm.
    const warm = (turns: number[]) => percentile(turns.slice(1), 50);
    const direct = { create: directCreate, turns: directTurns, close: directClose };
    const row = (label: string, m: typeof direct) =>
      say(
        `| ${label} | ${ms(m.create)} | ${ms(m.turns[0])} | ${ms(warm(m.turns))} | ${(warm(m.turns) / warm(direct.turns)).toFixed(2)} | ${ms(m.close)} |`,
      );
    say('## /sessions with the real acpx CLI and a fake ACP agent');
    say();
    say(`One session each, ${TURNS} turns ${PAUSE_MS} ms apart unless said; warm turns exclude the first, which starts the agent.`);
    say('A turn through the server answers at the agent\'s prompt result; acpx run directly exits about a second after it.');
    say();
    say('| | create | first turn | warm turn p50 | warm turn vs direct | close |');
    say('|---|---|---|---|---|---|');
    row('acpx directly (a client per turn, until it exits)', direct);
    row('server, a spare client per session (default)', warmClients);
    row('server, SESSION_WARM_CLIENTS=0', startedClients);
    row('server, spare client, turns back to back', backToBack);
    say();
  } finally {
    await server.stop();
    await coldClients.stop();
    fs.rmSync(home, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  say('# Benchmarks');
  say();
  say(`Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${machine()}.`);
  say('Every ratio compares two figures taken in the same run.');
  say();
  if (process.argv.includes('--cheap-only')) return cheapRequestsSection(say);
  if (process.argv.includes('--compat-only')) return compatOverheadSection(say);
  await fakeCliSection();
  await compatOverheadSection(say);
  await cheapRequestsSection(say);
  await realCliSection();
  await sessionsSection();
  if (process.argv.includes('--write')) fs.writeFileSync(path.join(ROOT, 'BENCHMARKS.md'), `${lines.join('\n')}\n`);
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
