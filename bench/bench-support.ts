import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BUILT_MAIN, freePort } from '../test/support/built-server';

export const ROOT = path.join(__dirname, '..');
export const ADMIN = 'bench-admin-token-0123456789abcdef';

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function rssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0) / 1024;
}

/** RSS of `pid` and all its descendants. */
export function treeRssMiB(pid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone while we looked
    }
  }
  let total = 0;
  const walk = (at: number) => {
    try {
      total += rssMiB(at);
    } catch {
      // gone while we looked
    }
    for (const child of children.get(at) ?? []) walk(child);
  };
  walk(pid);
  return total;
}

export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, Node ${process.version}`;
}

export interface Server {
  url: string;
  child: ChildProcess;
  stop: () => Promise<void>;
}

/** The built server (npm start) on a free loopback port, in a temp working directory. */
export async function startServer(env: Record<string, string>): Promise<Server> {
  if (!fs.existsSync(BUILT_MAIN)) throw new Error('run "npm run build" first');
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'clawdforge-bench-'));
  const port = await freePort();
  const child = spawn(process.execPath, [BUILT_MAIN], {
    cwd,
    env: { ...process.env, ADMIN_BOOTSTRAP_TOKEN: ADMIN, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      if (i > 200) throw new Error('server did not start');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    url,
    child,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => {
          fs.rmSync(cwd, { recursive: true, force: true });
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

export async function mintToken(url: string, name: string, policy: Record<string, unknown> = {}): Promise<string> {
  const res = await fetch(`${url}/admin/tokens`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, ...policy }),
  });
  if (res.status !== 201) throw new Error(`mint: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

/** Runs `task` `total` times with `concurrency` in flight; returns each latency (ms) and the wall time. */
export async function load(total: number, concurrency: number, task: () => Promise<void>): Promise<{ latencies: number[]; wallMs: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        const t0 = performance.now();
        await task();
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { latencies, wallMs: performance.now() - started };
}

/** One spawn of `bin` with the prompt on stdin, resolved when it exits 0. */
export function spawnOnce(bin: string, args: string[], prompt: string, env: NodeJS.ProcessEnv, cwd?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stdin.end(prompt);
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${bin} exited ${code}`))));
  });
}
