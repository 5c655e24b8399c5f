import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import autocannon from 'autocannon';
import * as sqlite3 from 'sqlite3';
import { ADMIN, mintToken, startServer } from './bench-support';

const CONNECTIONS = 16;
const DURATION_SECS = 5;

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  total: number;
  sent: number;
}

async function hammer(url: string, headers: Record<string, string> = {}, duration = DURATION_SECS): Promise<Figures> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration, headers });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, total: result.requests.total, sent: result.requests.sent };
}

/** A floor server (bench/floor-server.ts) in a process of its own, as the gateway is. */
async function floorServer(kind: 'express' | 'nest'): Promise<{ url: string; close: () => Promise<void> }> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'floor-server.ts'), kind], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /listening (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`${kind} floor server exited ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Rounds per target, interleaved so a slow spell of the machine falls on every target alike; a
 * target's ratio is the median of its rounds' ratios to the bare Express round just before it.
 */
const ROUNDS = 5;

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

interface Target {
  label: string;
  url: string;
  headers?: Record<string, string>;
  rounds: Figures[];
}

/**
 * Throughput of cheap requests through the built server on its defaults (the request log
 * included): an authenticated, audited GET /sessions and /v1/models, and /healthz, against a bare
 * Express 5 route and a bare NestJS controller answering the same JSON, each in its own process.
 * Each is hammered with autocannon (16 connections, 5 s) in interleaved rounds; the table gives
 * the median round, and the median of the per-round ratios to bare Express. Then it counts the audit rows the hammering left after a SIGTERM, and checks
 * that a revoked token is refused on the very next request, whatever caching made the figures.
 */
export async function cheapRequestsSection(say: (line?: string) => void): Promise<void> {
  const express = await floorServer('express');
  const nest = await floorServer('nest');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clawdforge-bench-data-'));
  const server = await startServer({ LOG_LEVEL: 'info', DATA_DIR: dataDir });
  let stopped = false;
  try {
    const token = await mintToken(server.url, 'bench-cheap');
    const auth = { authorization: `Bearer ${token}` };
    const targets: Target[] = [
      { label: 'bare Express 5, same JSON', url: `${express.url}/sessions`, rounds: [] },
      { label: 'bare NestJS 11 controller, same JSON', url: `${nest.url}/sessions`, rounds: [] },
      { label: 'GET /sessions, app token, audited', url: `${server.url}/sessions`, headers: auth, rounds: [] },
      { label: 'GET /v1/models, app token, audited', url: `${server.url}/v1/models`, headers: auth, rounds: [] },
      { label: 'GET /healthz', url: `${server.url}/healthz`, rounds: [] },
    ];
    const audited: Figures[] = [];
    const run = async (target: Target, duration?: number) => {
      const figures = await hammer(target.url, target.headers, duration);
      if (target.headers) audited.push(figures);
      return figures;
    };
    for (const target of targets) await run(target, 2);
    for (let round = 0; round < ROUNDS; round++) {
      for (const target of targets) target.rounds.push(await run(target));
    }
    const floorRounds = targets[0].rounds;
    say(`## Cheap requests: ${CONNECTIONS} connections, ${ROUNDS} interleaved rounds of ${DURATION_SECS} s each (autocannon), median round`);
    say();
    say('The server runs on its defaults (LOG_LEVEL=info, a line per request); each floor runs in a process of its own, as the server does.');
    say();
    say('The ratio is the median over rounds of the target\'s rate to bare Express\'s in the same round.');
    say();
    say('| | req/s | p50 | p99 | non-2xx | req/s vs bare Express |');
    say('|---|---|---|---|---|---|');
    for (const target of targets) {
      const rps = median(target.rounds.map((f) => f.rps));
      const mid = target.rounds.find((f) => f.rps === rps)!;
      say(`| ${target.label} | ${rps.toFixed(0)} | ${mid.p50} ms | ${mid.p99} ms | ${target.rounds.reduce((n, f) => n + f.non2xx, 0)} | ${median(target.rounds.map((f, round) => f.rps / floorRounds[round].rps)).toFixed(2)} |`);
    }
    say();
    await fetch(`${server.url}/admin/tokens/bench-cheap`, { method: 'DELETE', headers: { Authorization: `Bearer ${ADMIN}` } });
    const after = await fetch(`${server.url}/sessions`, { headers: auth });
    say(`A revoked token on the very next request: ${after.status}${after.status === 401 ? ' (refused)' : ' (NOT REFUSED)'}.`);
    await server.stop();
    stopped = true;
    const rows = await auditRowsOf(path.join(dataDir, 'clawdforge.db'), 'bench-cheap');
    const answered = audited.reduce((n, f) => n + f.total, 0);
    const sent = audited.reduce((n, f) => n + f.sent, 0);
    // autocannon stops counting at the end of a round; answers still in flight then are audited but not counted.
    const verdict = rows >= answered && rows <= sent ? 'none lost' : 'ROWS MISSING OR EXTRA';
    say(`Audit rows for the hammered token after SIGTERM: ${rows}, for ${answered} answers counted and ${sent} requests sent with it (${verdict}).`);
    say();
  } finally {
    if (!stopped) await server.stop();
    await express.close();
    await nest.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function auditRowsOf(dbFile: string, tokenName: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(dbFile, sqlite3.OPEN_READONLY, (error) => {
      if (error) return reject(error);
      db.get('SELECT COUNT(*) AS n FROM audit_events WHERE token_name = ?', [tokenName], (queryError, row: { n: number }) => {
        db.close();
        if (queryError) reject(queryError);
        else resolve(row.n);
      });
    });
  });
}
