import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AuditService } from '@clawdforge/audit';
import { SweeperService } from '@clawdforge/sweeper';
import { sharedClusterDatabase } from './support/postgres';
import { assertBuilt, freePort, npmStart, startNpmServer, waitForHealth } from './support/built-server';
import { ManualClock } from '@clawdforge/core/testing';
import { descendantsOf, eventually, processesWith } from './support/processes';
import { ADMIN_TOKEN, FAKE_CLI_DIR, makeDataDir, startTestApp } from './support/test-app';

describe('a server killed with -9 mid-run (npm start, fake claude)', () => {
  beforeAll(assertBuilt);

  it('leaves children behind, and its next start kills them and its spares, empties RUNS_DIR of them and closes the run’s audit row (not the spares’) as interrupted, which a retry with its Idempotency-Key is answered', async () => {
    const home = makeDataDir();
    const dataDir = path.join(home, 'data');
    const port = await freePort();
    const env = {
      ADMIN_BOOTSTRAP_TOKEN: ADMIN_TOKEN,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      CLAUDE_BIN: path.join(FAKE_CLI_DIR, 'claude'),
      ...(await sharedClusterDatabase(dataDir)),
    };
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
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'X-Request-Id': 'run-before-the-crash', 'Idempotency-Key': 'doomed-run' },
      body: JSON.stringify({ prompt: `FAKE:hang:${marker}`, timeout_secs: 3600 }),
    }).then(
      () => 'answered',
      () => 'cut',
    );
    // The fake claude's grandchild carries the marker in its argv.
    expect(await eventually(() => processesWith(marker).length === 1, 10_000)).toBe(true);
    const tree = descendantsOf(first.child.pid!);
    const server = tree.find((p) => p.cmdline.includes('dist/apps/server/src/main.js') && !p.cmdline.startsWith('sh '))!;
    // The run's claude and its grandchild; the other claudes are warm spares waiting for the next runs.
    const claudes = tree.filter((p) => p.cmdline.includes('fake-cli/claude')).map((p) => p.pid);
    const grandchild = processesWith(marker)[0];
    const runClaude = Number(/^PPid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${grandchild}/status`, 'utf8'))![1]);
    expect(claudes).toContain(runClaude);
    expect(claudes.length).toBeGreaterThanOrEqual(2);
    const left = [runClaude, grandchild];
    process.kill(server.pid, 'SIGKILL');
    expect(await run).toBe('cut');
    expect(await eventually(() => first.child.exitCode !== null || first.child.signalCode !== null, 10_000)).toBe(true);
    // Nobody stops them now: the timeout lived in the dead server.
    expect(left.filter(alive)).toEqual(left);
    const leftDirs = fs.readdirSync(path.join(dataDir, 'runs'));
    expect(leftDirs).toHaveLength(claudes.length);

    const second = npmStart(home, env);
    try {
      await waitForHealth(port, second);
      // Spares end with the server (their stdin closes) or at the next start; the run's children are killed.
      expect(await eventually(() => [...claudes, grandchild].filter(alive).length === 0, 5000)).toBe(true);
      // What remains is the new server's own spare.
      expect(fs.readdirSync(path.join(dataDir, 'runs')).filter((dir) => leftDirs.includes(dir))).toEqual([]);
      expect(fs.readdirSync(path.join(dataDir, 'children')).filter((file) => claudes.includes(Number.parseInt(file, 10)))).toEqual([]);
      const audit = await fetch(`${base}/admin/audit?route=/run`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(((await audit.json()) as { items: unknown[] }).items).toEqual([
        expect.objectContaining({ token_name: 'doomed', method: 'POST', route: '/run', status: 502, error_code: 'interrupted', request_id: 'run-before-the-crash', model: 'sonnet' }),
      ]);
      // Its retry with the same key is told the first was cut short, rather than running (and paying) again.
      const retry = await fetch(`${base}/run`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Idempotency-Key': 'doomed-run' },
        body: JSON.stringify({ prompt: `FAKE:hang:${marker}`, timeout_secs: 3600 }),
      });
      expect(retry.status).toBe(502);
      expect(((await retry.json()) as { error: { code: string } }).error.code).toBe('interrupted');
      expect(processesWith(marker)).toEqual([]);
    } finally {
      second.stop();
      await second.exited;
    }
  }, 60_000);
});

describe('a full disk under a running server (npm start, DATA_DIR on a small tmpfs)', () => {
  // Mounting needs root, as CI runs.
  const mount = (...args: string[]) => execFileSync('mount', args, { stdio: 'pipe' });
  /** Takes every free byte of the filesystem. */
  const fill = (file: string) => {
    const fd = fs.openSync(file, 'w');
    const chunk = Buffer.alloc(64 * 1024);
    try {
      for (;;) fs.writeSync(fd, chunk);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    } finally {
      fs.closeSync(fd);
    }
  };

  it('still answers requests, logs and counts the audit rows it cannot write, and writes again once there is room', async () => {
    const home = makeDataDir();
    const dataDir = path.join(home, 'data');
    fs.mkdirSync(dataDir);
    mount('-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', dataDir);
    try {
      // The subject is the SQLite file on that full disk: no DATABASE_URL, even in the PostgreSQL pass.
      const served = await startNpmServer({ DATABASE_URL: '' }, home);
      const admin = { Authorization: `Bearer ${ADMIN_TOKEN}` };
      try {
        const minted = await fetch(`${served.base}/admin/tokens`, { method: 'POST', headers: { ...admin, 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'steady' }) });
        const token = ((await minted.json()) as { token: string }).token;
        const sessions = () => fetch(`${served.base}/sessions`, { headers: { Authorization: `Bearer ${token}` } });
        expect((await sessions()).status).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 200));

        const filler = path.join(dataDir, 'filler');
        fill(filler);
        const refusedWrites = await Promise.all(Array.from({ length: 5 }, () => sessions()));
        expect(refusedWrites.map((res) => res.status)).toEqual([200, 200, 200, 200, 200]);
        const health = async () => (await (await fetch(`${served.base}/healthz`)).json()) as { audit_write_failures: number };
        // Rows go in batches a few milliseconds after their answers.
        expect(await eventuallyAsync(async () => (await health()).audit_write_failures >= 5)).toBe(true);
        // The log line travels through npm's pipe and may trail the counter.
        expect(await eventually(() => /audit rows not written: .*(SQLITE_FULL|full|SQLITE_IOERR)/i.test(served.server.output()), 5000)).toBe(true);

        fs.rmSync(filler);
        const failures = (await health()).audit_write_failures;
        expect((await sessions()).status).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 300));
        const rows = (await (await fetch(`${served.base}/admin/audit?route=/sessions`, { headers: admin })).json()) as { items: unknown[] };
        expect(rows.items.length).toBeGreaterThanOrEqual(2);
        expect((await health()).audit_write_failures).toBe(failures);
      } finally {
        await served.stop();
      }
    } finally {
      execFileSync('umount', ['-l', dataDir]);
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

async function eventuallyAsync(check: () => Promise<boolean>, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return check();
}
