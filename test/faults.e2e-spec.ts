import * as fs from 'node:fs';
import * as path from 'node:path';
import { AuditService } from '@clawdforge/audit';
import { SweeperService } from '@clawdforge/sweeper';
import { assertBuilt, freePort, npmStart, waitForHealth } from './support/built-server';
import { ManualClock } from './support/manual-clock';
import { descendantsOf, eventually, processesWith } from './support/processes';
import { ADMIN_TOKEN, FAKE_CLI_DIR, makeDataDir, startTestApp } from './support/test-app';

describe('a server killed with -9 mid-run (npm start, fake claude)', () => {
  beforeAll(assertBuilt);

  it('leaves children behind, and its next start kills them, empties RUNS_DIR and closes the run’s audit row as interrupted', async () => {
    const home = makeDataDir();
    const dataDir = path.join(home, 'data');
    const port = await freePort();
    const env = { ADMIN_BOOTSTRAP_TOKEN: ADMIN_TOKEN, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, CLAUDE_BIN: path.join(FAKE_CLI_DIR, 'claude') };
    const base = `http://127.0.0.1:${port}`;
    const marker = `cf-kill9-${process.hrtime.bigint()}`;

    const first = npmStart(home, env);
    await waitForHealth(port, first);
    const minted = await fetch(`${base}/admin/tokens`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'doomed' }),
    });
    const token = ((await minted.json()) as { token: string }).token;
    const run = fetch(`${base}/run`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'X-Request-Id': 'run-before-the-crash' },
      body: JSON.stringify({ prompt: `FAKE:hang:${marker}`, timeout_secs: 3600 }),
    }).then(
      () => 'answered',
      () => 'cut',
    );
    // The fake claude's grandchild carries the marker in its argv.
    expect(await eventually(() => processesWith(marker).length === 1, 10_000)).toBe(true);
    const tree = descendantsOf(first.child.pid!);
    const server = tree.find((p) => p.cmdline.includes('dist/apps/server/src/main.js') && !p.cmdline.startsWith('sh '))!;
    const left = [tree.find((p) => p.cmdline.includes('fake-cli/claude'))!.pid, processesWith(marker)[0]];
    process.kill(server.pid, 'SIGKILL');
    expect(await run).toBe('cut');
    expect(await eventually(() => first.child.exitCode !== null || first.child.signalCode !== null, 10_000)).toBe(true);
    // Nobody stops them now: the timeout lived in the dead server.
    expect(left.filter(alive)).toEqual(left);
    expect(fs.readdirSync(path.join(dataDir, 'runs'))).toHaveLength(1);

    const second = npmStart(home, env);
    try {
      await waitForHealth(port, second);
      expect(await eventually(() => left.filter(alive).length === 0, 5000)).toBe(true);
      expect(fs.readdirSync(path.join(dataDir, 'runs'))).toEqual([]);
      expect(fs.readdirSync(path.join(dataDir, 'children'))).toEqual([]);
      const audit = await fetch(`${base}/admin/audit?route=/run`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(((await audit.json()) as { items: unknown[] }).items).toEqual([
        expect.objectContaining({ token_name: 'doomed', method: 'POST', route: '/run', status: 500, error_code: 'interrupted', request_id: 'run-before-the-crash', model: 'sonnet' }),
      ]);
    } finally {
      second.stop();
      await second.exited;
    }
  }, 60_000);
});

describe('audit retention', () => {
  it('deletes rows older than AUDIT_RETENTION_DAYS at a sweep, and keeps them all with 0', async () => {
    for (const [days, left] of [
      ['1', 0],
      ['0', 2],
    ] as const) {
      const clock = new ManualClock();
      const t = await startTestApp({ AUDIT_RETENTION_DAYS: days }, { clock });
      try {
        await t.http().get('/admin/tokens').expect(401);
        await t.http().get('/admin/tokens').set('Authorization', 'Bearer wrong').expect(401);
        await t.app.get(AuditService).flush();
        clock.advance(2 * 86_400);
        const report = await t.app.get(SweeperService).sweep();
        expect(report.auditRowsDeleted).toBe(2 - left);
        expect((await t.admin('get', '/admin/audit').expect(200)).body.items.filter((row: { route: string; status: number }) => row.route === '/admin/tokens' && row.status === 401)).toHaveLength(left);
      } finally {
        await t.close();
      }
    }
  });
});

function alive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}
