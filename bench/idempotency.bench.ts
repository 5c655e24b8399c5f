/**
 * `npm run build && npx ts-node --transpile-only bench/idempotency.bench.ts`: what an
 * Idempotency-Key costs on POST /run, against the built server with the cheapest stand-in for
 * claude (test/fixtures/fake-cli/claude-instant, so the gateway's own work is what is measured),
 * state in SQLite. Sequential pairs, one without a key and one with a fresh key, in turn; then
 * retries answered from the kept answer; then the bytes the kept answers take, per run, and for
 * 10 000 runs.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as sqlite3 from 'sqlite3';
import { mintToken, percentile, ROOT, startServer } from './bench-support';

const PAIRS = Number(process.env.IDEMPOTENCY_BENCH_PAIRS ?? 400);
const WARMUP = 50;

async function post(url: string, token: string, key?: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${url}/run`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...(key ? { 'Idempotency-Key': key } : {}) },
    body: JSON.stringify({ prompt: 'Summarise the quarterly report in three bullet points, please.' }),
  });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`POST /run answered ${res.status}`);
  return performance.now() - started;
}

function query<T>(file: string, sql: string): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, sqlite3.OPEN_READONLY, (error) => {
      if (error) return reject(error);
      db.all(sql, (err, rows) => {
        db.close();
        if (err) reject(err);
        else resolve(rows as T[]);
      });
    });
  });
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clawdforge-bench-keys-'));
  const database = path.join(dataDir, 'clawdforge.db');
  const server = await startServer({ CLAUDE_BIN: path.join(ROOT, 'test', 'fixtures', 'fake-cli', 'claude-instant'), RUN_WARM_POOL: '2', DATA_DIR: dataDir });
  try {
    const token = await mintToken(server.url, 'bench-keys');
    for (let i = 0; i < WARMUP; i++) await post(server.url, token, i % 2 ? `warm-${i}` : undefined);
    const plain: number[] = [];
    const keyed: number[] = [];
    for (let i = 0; i < PAIRS; i++) {
      plain.push(await post(server.url, token));
      keyed.push(await post(server.url, token, `bench-${process.pid}-${i}`));
    }
    const replayed: number[] = [];
    for (let i = 0; i < PAIRS; i++) replayed.push(await post(server.url, token, `bench-${process.pid}-${i}`));
    const ms = (v: number) => `${v.toFixed(2)} ms`;
    console.log(`POST /run, ${PAIRS} sequential pairs (fake claude at the process boundary, SQLite):`);
    console.log('| | p50 | p95 |');
    console.log('|---|---|---|');
    for (const [label, values] of [['no key', plain], ['a fresh key (kept)', keyed], ['a retry with a kept key (replayed)', replayed]] as const) {
      console.log(`| ${label} | ${ms(percentile(values, 50))} | ${ms(percentile(values, 95))} |`);
    }
    console.log(`| a fresh key over no key | +${ms(percentile(keyed, 50) - percentile(plain, 50))} (${(percentile(keyed, 50) / percentile(plain, 50)).toFixed(2)}×) | +${ms(percentile(keyed, 95) - percentile(plain, 95))} |`);
    console.log(`| replayed / no key | ${(percentile(replayed, 50) / percentile(plain, 50)).toFixed(2)} | ${(percentile(replayed, 95) / percentile(plain, 95)).toFixed(2)} |`);
    const [row] = await query<{ rows: number; bytes: number }>(
      database,
      `SELECT COUNT(*) AS rows, SUM(LENGTH(key) + LENGTH(fingerprint) + LENGTH(state) + LENGTH(COALESCE(instance_id, '')) + LENGTH(COALESCE(headers, '')) + LENGTH(COALESCE(body, '')) + LENGTH(created_at) + LENGTH(expires_at) + 8) AS bytes FROM idempotency_keys`,
    );
    const perRun = row.bytes / row.rows;
    console.log(`kept answers: ${row.rows} rows, ${perRun.toFixed(0)} bytes of data each (this answer's body is ${(await query<{ b: number }>(database, 'SELECT AVG(LENGTH(body)) AS b FROM idempotency_keys'))[0].b.toFixed(0)} bytes): ${((perRun * 10_000) / 2 ** 20).toFixed(1)} MiB for 10 000 runs a day, before SQLite's page and index overhead`);
  } finally {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
