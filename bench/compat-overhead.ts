import * as path from 'node:path';
import { mintToken, percentile, ROOT, startServer } from './bench-support';

const FAKE_CLAUDE = path.join(ROOT, 'test', 'fixtures', 'fake-cli', 'claude');
const ROUNDS = 60;
/** Between runs: time for the warm pool to have the next spare ready, so every route finds one. */
const PAUSE_MS = 250;
const HISTORY = [
  { role: 'user', content: 'My name is Ada and I like rice.' },
  { role: 'assistant', content: 'Noted, Ada.' },
  { role: 'user', content: 'hello' },
];

async function post(url: string, route: string, headers: Record<string, string>, body: object): Promise<void> {
  const res = await fetch(`${url}${route}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
  if (res.status !== 200) throw new Error(`${route} answered ${res.status}: ${await res.text()}`);
  await res.arrayBuffer();
}

async function timed(work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/**
 * What the OpenAI and Anthropic routes add over /run for the same prompt: the three interleaved on one
 * server with the fake CLI and the warm pool on (a spare ready for each run), so what differs is the
 * translation and the wire format, not a spawn.
 */
export async function compatOverheadSection(say: (line?: string) => void): Promise<void> {
  const server = await startServer({ CLAUDE_BIN: FAKE_CLAUDE, RUN_WARM_POOL: '1' });
  try {
    const token = await mintToken(server.url, 'bench-compat');
    const bearer = { Authorization: `Bearer ${token}` };
    const ways: Record<string, () => Promise<void>> = {
      'POST /run': () => post(server.url, '/run', bearer, { prompt: 'hello' }),
      'POST /v1/chat/completions': () => post(server.url, '/v1/chat/completions', bearer, { model: 'sonnet', messages: [{ role: 'user', content: 'hello' }] }),
      'POST /v1/messages': () => post(server.url, '/v1/messages', { 'x-api-key': token }, { model: 'sonnet', max_tokens: 256, messages: [{ role: 'user', content: 'hello' }] }),
      'POST /v1/chat/completions, 3-message history': () => post(server.url, '/v1/chat/completions', bearer, { model: 'sonnet', messages: HISTORY }),
    };
    for (const work of Object.values(ways)) await work();
    const samples: Record<string, number[]> = Object.fromEntries(Object.keys(ways).map((name) => [name, []]));
    for (let i = 0; i < ROUNDS; i++) {
      for (const [name, work] of Object.entries(ways)) {
        await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
        samples[name].push(await timed(work));
      }
    }
    const base = samples['POST /run'];
    say('## /v1 (OpenAI and Anthropic wire formats) against /run');
    say();
    say(`${ROUNDS} runs each, interleaved on one server, fake CLI, warm pool on, ${PAUSE_MS} ms apart. Goal: within 2 ms of /run at p50.`);
    say();
    say('| | p50 | p95 | p50 − /run p50 | p50 ÷ /run p50 |');
    say('|---|---|---|---|---|');
    for (const [name, values] of Object.entries(samples)) {
      say(`| ${name} | ${percentile(values, 50).toFixed(1)} ms | ${percentile(values, 95).toFixed(1)} ms | ${(percentile(values, 50) - percentile(base, 50)).toFixed(1)} ms | ${(percentile(values, 50) / percentile(base, 50)).toFixed(2)} |`);
    }
    say();
  } finally {
    await server.stop();
  }
}
