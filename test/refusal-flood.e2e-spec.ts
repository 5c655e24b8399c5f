import * as path from 'node:path';
import * as sqlite3 from 'sqlite3';
import { assertBuilt, NpmServer, startNpmServer } from './support/built-server';
import { netnsAvailable, PeerNamespace } from './support/netns';

interface Row {
  client_ip: string | null;
  method: string;
  route: string;
  status: number;
  error_code: string | null;
  requests: number | null;
}

function auditRows(dataDir: string): Promise<Row[]> {
  const db = new sqlite3.Database(path.join(dataDir, 'clawdforge.db'), sqlite3.OPEN_READONLY);
  return new Promise((resolve, reject) =>
    db.all('SELECT * FROM audit_events', (error, rows: Row[]) => {
      db.close();
      if (error) reject(error);
      else resolve(rows.map((row) => ({ ...row, requests: row.requests ?? null })));
    }),
  );
}

/**
 * A peer outside the allowlist floods the server (npm start on HOST=::, a peer on another network
 * in a network namespace, IPv4 and IPv6): each refusal used to write an audit row (kept 90 days)
 * and a request line. Now a few a minute per peer keep theirs and the rest are one row and one line
 * per peer and minute, which still account for every request.
 */
describe('a refused peer’s flood costs a bounded amount (npm start, network namespace)', () => {
  const FLOOD_V4 = 3000;
  const FLOOD_V6 = 1000;
  let served: NpmServer;
  let peer: PeerNamespace;
  let rows: Row[];
  let output: string;
  let minutes: number;

  beforeAll(async () => {
    assertBuilt();
    if (!netnsAvailable()) throw new Error('this spec makes network namespaces: run it as root on Linux with iproute2');
    peer = PeerNamespace.create();
    served = await startNpmServer({ HOST: '::', LOG_LEVEL: 'info', RUN_WARM_POOL: '0' });
    const started = Date.now();
    const [v4, v6] = await Promise.all([
      peer.flood(peer.hostIPv4, served.port, { path: `/run?${'q'.repeat(2000)}`, method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"prompt":"x"}' }, FLOOD_V4, 16),
      peer.flood(peer.hostIPv6, served.port, { path: '/healthz' }, FLOOD_V6, 8),
    ]);
    expect(v4.statuses).toEqual({ 403: FLOOD_V4 });
    expect(v6.statuses).toEqual({ 403: FLOOD_V6 });
    minutes = Math.floor(Date.now() / 60_000) - Math.floor(started / 60_000) + 1;
    // A request from loopback, allowed, keeps its own row as ever.
    expect((await fetch(`${served.base}/no-such-route`)).status).toBe(404);
    await served.stop();
    output = served.server.output();
    rows = await auditRows(served.dataDir);
  }, 180_000);
  afterAll(async () => {
    await served?.stop();
    peer?.destroy();
  });

  it.each([
    ['IPv4', () => peer.peerIPv4, FLOOD_V4],
    ['IPv6', () => peer.peerIPv6, FLOOD_V6],
  ])('%s: at most 5 rows of its own a minute, the rest one summary row a minute, every request counted', (_family, ip, flood) => {
    const mine = rows.filter((row) => row.client_ip === ip());
    const own = mine.filter((row) => row.requests === null);
    const summaries = mine.filter((row) => row.requests !== null);
    expect(own.length).toBeLessThanOrEqual(5 * minutes);
    expect(summaries.length).toBeLessThanOrEqual(minutes);
    expect(own.length + summaries.reduce((sum, row) => sum + row.requests!, 0)).toBe(flood);
    for (const row of summaries) expect(row).toMatchObject({ method: '*', route: '*', status: 403, error_code: 'ip_not_allowed' });
    for (const row of own) expect(row).toMatchObject({ status: 403, error_code: 'ip_not_allowed' });
  });

  it('writes at most 5 request lines per peer a minute, and one summary line per peer a minute naming the count', () => {
    for (const ip of [peer.peerIPv4, peer.peerIPv6]) {
      const lines = output.split('\n').filter((line) => line.includes(`"remoteAddress":"${ip.includes(':') ? ip : `::ffff:${ip}`}"`));
      expect(lines.length).toBeLessThanOrEqual(5 * minutes);
      const summaries = output.split('\n').filter((line) => line.includes(`more requests from ${ip} refused`));
      expect(summaries.length).toBeGreaterThanOrEqual(1);
      expect(summaries.length).toBeLessThanOrEqual(minutes);
    }
    // The 2 000-character query string went into the log five times a minute at most, not 3 000 times.
    expect(output.split('q'.repeat(2000)).length - 1).toBeLessThanOrEqual(5 * minutes);
  });

  it('still gives an allowed request its own row', () => {
    expect(rows.filter((row) => row.route === '/no-such-route')).toEqual([expect.objectContaining({ client_ip: '127.0.0.1', status: 404, requests: null })]);
  });
});
