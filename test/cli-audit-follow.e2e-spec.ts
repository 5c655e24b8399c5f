import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import * as path from 'node:path';
import { AuditService } from '@clawdforge/audit';
import { assertBuilt, PROJECT_ROOT } from './support/built-server';
import { startTestApp, TestApp } from './support/test-app';

const CLI_MAIN = path.join(PROJECT_ROOT, 'dist', 'apps', 'cli', 'src', 'main.js');

/** The built CLI's `audit tail`, run as a person runs it beside the server, its stdout read as it comes. */
function tail(
  dataDir: string,
  ...args: string[]
): { child: ChildProcessWithoutNullStreams; lines: string[]; stderr: () => string; waitForLines: (count: number) => Promise<void>; interrupt: () => Promise<void> } {
  const child = spawn(process.execPath, [CLI_MAIN, 'audit', 'tail', ...args], { cwd: dataDir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dataDir, DATA_DIR: dataDir } });
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString('utf8');
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  });
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const waitForLines = async (count: number) => {
    // npm run cli starts Nest and the database first: seconds on a busy machine.
    const deadline = Date.now() + 30_000;
    while (lines.length < count) {
      if (child.exitCode !== null) throw new Error(`audit tail exited ${child.exitCode}: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`audit tail printed ${lines.length} lines, not ${count}:\n${lines.join('\n')}\n${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  /** Ctrl-C, and its end. */
  const interrupt = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    await closed;
  };
  return { child, lines, stderr: () => stderr, waitForLines, interrupt };
}

describe('clawdforge audit tail --follow', () => {
  let t: TestApp;

  beforeAll(async () => {
    assertBuilt();
    t = await startTestApp();
  });
  afterAll(() => t.close());

  /** Requests the server audits, written to the database at once. */
  const audited = async (count: number, route: string) => {
    for (let i = 0; i < count; i++) await t.http().get(route).expect(401);
    await t.app.get(AuditService).flush();
  };

  it('prints the header once, then each row as it is written, one line each, across polls', async () => {
    await audited(2, '/files');
    const follow = tail(t.dataDir, '--follow', '--limit', '2');
    try {
      await follow.waitForLines(3);
      await audited(3, '/sessions');
      await follow.waitForLines(6);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await audited(2, '/usage');
      await follow.waitForLines(8);
      expect(follow.lines[0]).toMatch(/^AT\s+TOKEN\s+METHOD\s+ROUTE\s+STATUS\s+MS\s+ERROR\s+DETAIL$/);
      expect(follow.lines.slice(1).map((line) => /^\S+Z\s+-\s+GET\s+(\/\w+)\s+401\s+\d+\s+missing_token$/.exec(line)?.[1])).toEqual([
        '/files',
        '/files',
        '/sessions',
        '/sessions',
        '/sessions',
        '/usage',
        '/usage',
      ]);
    } finally {
      await follow.interrupt();
    }
    expect(follow.stderr()).toBe('');
  }, 40_000);

  it('prints one JSON object per line with --json, new rows included', async () => {
    const follow = tail(t.dataDir, '--follow', '--limit', '1', '--json', '--route', '/admin/tokens');
    try {
      await audited(1, '/admin/tokens');
      await follow.waitForLines(1);
      await audited(1, '/admin/tokens');
      await follow.waitForLines(2);
      expect(follow.lines.map((line) => JSON.parse(line))).toEqual([
        expect.objectContaining({ route: '/admin/tokens', status: 401, error_code: 'missing_token', token_name: null }),
        expect.objectContaining({ route: '/admin/tokens', status: 401, error_code: 'missing_token', token_name: null }),
      ]);
    } finally {
      await follow.interrupt();
    }
  }, 40_000);

  it('stops quietly when whatever reads its output (a pager, head) goes away', async () => {
    const follow = tail(t.dataDir, '--follow', '--limit', '1');
    await follow.waitForLines(2);
    follow.child.stdout.destroy();
    await audited(2, '/files');
    const exit = await new Promise<number | null>((resolve) => follow.child.once('close', (code) => resolve(code)));
    expect({ exit, stderr: follow.stderr() }).toEqual({ exit: 0, stderr: '' });
  }, 40_000);
});
