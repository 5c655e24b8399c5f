import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import express from 'express';
import { ADMIN, mintToken, startServer } from './bench-support';

const CONNECTIONS = 16;
const DURATION_SECS = 5;

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
}

async function hammer(url: string, headers: Record<string, string> = {}): Promise<Figures> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_SECS, headers });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx };
}

/** The same JSON as an empty GET /sessions page, from a bare Express 5 route: the floor to compare with. */
async function bareExpress(): Promise<{ url: string; close: () => Promise<void> }> {
  const app = express();
  app.disable('x-powered-by');
  app.get('/sessions', (_req, res) => {
    res.json({ ok: true, items: [], next_cursor: null });
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * Throughput of cheap requests: an authenticated, audited GET /sessions and /healthz through the
 * built server, against a bare Express route answering the same JSON, each hammered with
 * autocannon (16 connections, 5 s) in the same run. Then checks that a revoked token is refused
 * on the very next request, whatever caching made the first figure.
 */
export async function cheapRequestsSection(say: (line?: string) => void): Promise<void> {
  const bare = await bareExpress();
  const server = await startServer({});
  try {
    const token = await mintToken(server.url, 'bench-cheap');
    await hammer(`${bare.url}/sessions`);
    const floor = await hammer(`${bare.url}/sessions`);
    const sessions = await hammer(`${server.url}/sessions`, { authorization: `Bearer ${token}` });
    const health = await hammer(`${server.url}/healthz`);
    say(`## Cheap requests: ${CONNECTIONS} connections for ${DURATION_SECS} s each (autocannon)`);
    say();
    say('| | req/s | p50 | p99 | non-2xx | req/s vs bare Express |');
    say('|---|---|---|---|---|---|');
    const row = (label: string, f: Figures) => say(`| ${label} | ${f.rps.toFixed(0)} | ${f.p50} ms | ${f.p99} ms | ${f.non2xx} | ${(f.rps / floor.rps).toFixed(2)} |`);
    row('bare Express 5, same JSON', floor);
    row('GET /sessions, app token, audited', sessions);
    row('GET /healthz', health);
    say();
    await fetch(`${server.url}/admin/tokens/bench-cheap`, { method: 'DELETE', headers: { Authorization: `Bearer ${ADMIN}` } });
    const after = await fetch(`${server.url}/sessions`, { headers: { Authorization: `Bearer ${token}` } });
    say(`A revoked token on the very next request: ${after.status}${after.status === 401 ? ' (refused)' : ' (NOT REFUSED)'}.`);
    say();
  } finally {
    await server.stop();
    await bare.close();
  }
}
