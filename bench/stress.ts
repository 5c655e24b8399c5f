/**
 * npm run stress: load and soak against the built server with the instant fake claude CLI.
 *
 *   load (default): 10 000 POST /run at concurrency 64 across 8 tokens. Only 200, or 429 with
 *     Retry-After, may come back; every request must leave exactly one audit row; prints the
 *     statuses, each token's share, p50/p99 and the server's RSS.
 *   --soak <secs>: steady load for that long, RSS sampled every 10 s, open file descriptors and
 *     child processes compared before and after.
 *   --requests <n>, --concurrency <n>: override the load's size.
 *
 * Figures, not assertions: a run prints what it saw, and exits 1 only on a broken invariant
 * (an unexpected status, a lost audit row, a leaked child).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ADMIN, machine, mintToken, percentile, ROOT, rssMiB, startServer } from './bench-support';

const FAKE_CLAUDE = path.join(ROOT, 'test', 'fixtures', 'fake-cli', 'claude-instant');
const TOKENS = 8;

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const soakSecs = option('soak', 0);
const total = option('requests', 10_000);
const concurrency = option('concurrency', 64);

const broken: string[] = [];

function fdCount(pid: number): number {
  return fs.readdirSync(`/proc/${pid}/fd`).length;
}

function childrenOf(pid: number): number {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return Number(/^PPid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1]) === pid;
      } catch {
        return false;
      }
    }).length;
}

async function countAuditRows(url: string, route: string): Promise<number> {
  let count = 0;
  let cursor: string | null = null;
  do {
    const query: string = `route=${encodeURIComponent(route)}&limit=1000${cursor ? `&cursor=${cursor}` : ''}`;
    const page = (await (await fetch(`${url}/admin/audit?${query}`, { headers: { Authorization: `Bearer ${ADMIN}` } })).json()) as { items: unknown[]; next_cursor: string | null };
    count += page.items.length;
    cursor = page.next_cursor;
  } while (cursor);
  return count;
}

async function main(): Promise<void> {
  console.log(`# clawdforge stress (${soakSecs > 0 ? `soak ${soakSecs} s` : `${total} runs at concurrency ${concurrency}`})\n`);
  console.log(`${machine()}\n`);
  const server = await startServer({ CLAUDE_BIN: FAKE_CLAUDE, MAX_CONCURRENT_RUNS: '8', RUN_QUEUE_MAX: '64', RUN_QUEUE_MAX_PER_TOKEN: '16' });
  const pid = server.child.pid!;
  try {
    const tokens = await Promise.all(Array.from({ length: TOKENS }, (_, i) => mintToken(server.url, `stress-${i}`)));
    const fdsBefore = fdCount(pid);
    const statuses = new Map<string, number>();
    const okByToken = new Map<number, number>();
    const latencies: number[] = [];
    const rss: number[] = [];
    let sent = 0;
    const deadline = soakSecs > 0 ? Date.now() + soakSecs * 1000 : Number.POSITIVE_INFINITY;
    const more = () => (soakSecs > 0 ? Date.now() < deadline : sent < total);

    const sampler = setInterval(() => rss.push(rssMiB(pid)), soakSecs > 0 ? 10_000 : 1000);
    rss.push(rssMiB(pid));
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async (_, worker) => {
        while (more()) {
          const which = (sent + worker) % TOKENS;
          sent++;
          const t0 = performance.now();
          const res = await fetch(`${server.url}/run`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${tokens[which]}`, 'Content-Type': 'application/json' },
            body: JSON.stringify({ prompt: `stress ${sent}` }),
          });
          await res.arrayBuffer();
          latencies.push(performance.now() - t0);
          const key = res.status === 429 ? `429 ${res.headers.get('retry-after') ? 'with' : 'WITHOUT'} Retry-After` : String(res.status);
          statuses.set(key, (statuses.get(key) ?? 0) + 1);
          if (res.status === 200) okByToken.set(which, (okByToken.get(which) ?? 0) + 1);
          if (res.status === 429) await new Promise((resolve) => setTimeout(resolve, Number(res.headers.get('retry-after') ?? 1) * 100));
        }
      }),
    );
    const wallMs = performance.now() - started;
    clearInterval(sampler);
    rss.push(rssMiB(pid));

    // Audit rows are written after each answer, and the client's keep-alive sockets close after the
    // server's 5 s keep-alive timeout: wait for both before counting rows and descriptors.
    await new Promise((resolve) => setTimeout(resolve, 6000));
    const rows = await countAuditRows(server.url, '/run');
    const fdsAfter = fdCount(pid);
    // The warm spares the pool keeps on purpose are children too; anything beyond them was left behind.
    const pool = ((await (await fetch(`${server.url}/healthz`)).json()) as { warm_pool: { spares: number; session_clients: number } }).warm_pool;
    const spares = pool.spares + pool.session_clients;
    const children = childrenOf(pid) - spares;

    console.log('| status | count |\n|---|---|');
    for (const [status, count] of [...statuses.entries()].sort()) console.log(`| ${status} | ${count} |`);
    console.log();
    const shares = [...okByToken.values()];
    console.log(`runs sent ${sent}, audit rows for /run ${rows} (lost: ${sent - rows})`);
    console.log(`throughput ${((sent / wallMs) * 1000).toFixed(1)} req/s; latency p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`);
    console.log(`200s per token: min ${Math.min(...shares)}, max ${Math.max(...shares)} (ratio ${(Math.min(...shares) / Math.max(...shares)).toFixed(2)})`);
    console.log(`server RSS MiB: start ${rss[0].toFixed(0)}, peak ${Math.max(...rss).toFixed(0)}, end ${rss.at(-1)!.toFixed(0)}${soakSecs > 0 ? `; samples every 10 s: ${rss.map((r) => r.toFixed(0)).join(' ')}` : ''}`);
    console.log(`open file descriptors: before ${fdsBefore}, after ${fdsAfter}; child processes left: ${children} (besides ${spares} warm spares)`);

    const unexpected = [...statuses.keys()].filter((status) => status !== '200' && status !== '429 with Retry-After');
    if (unexpected.length > 0) broken.push(`unexpected statuses: ${unexpected.join(', ')}`);
    if (rows !== sent) broken.push(`${sent - rows} audit rows lost`);
    if (children > 0) broken.push(`${children} child processes left`);
    if (fdsAfter > fdsBefore + 16) broken.push(`file descriptors grew from ${fdsBefore} to ${fdsAfter}`);
  } finally {
    await server.stop();
  }
  if (broken.length > 0) {
    console.error(`\nBROKEN: ${broken.join('; ')}`);
    process.exit(1);
  }
}

void main();
