import { ChildProcess, spawn, spawnSync, SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sharedClusterDatabase } from './postgres';
import { ADMIN_TOKEN, FAKE_CLI_DIR, freePort, makeDataDir } from './test-env';

export { freePort };

export const PROJECT_ROOT = path.join(__dirname, '..', '..');
export const BUILT_MAIN = path.join(PROJECT_ROOT, 'dist', 'apps', 'server', 'src', 'main.js');

export function assertBuilt(): void {
  if (!fs.existsSync(BUILT_MAIN)) throw new Error(`${BUILT_MAIN} is missing: run "npm run build" (npm test does it first)`);
}

export interface BuiltServer {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Signals the whole process group (npm, its shell and the server), as Ctrl-C in a terminal does. */
  stop: (signal?: NodeJS.Signals) => void;
}

/** Only PATH from the test's own environment: npm's variables and any server setting stay out. */
function childEnv(home: string, env: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, ...env };
}

function watch(child: ChildProcess): BuiltServer {
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  const stop = (signal: NodeJS.Signals = 'SIGTERM') => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // the group is gone
    }
  };
  return { child, output: () => output, exited, stop };
}

/** `npm start` in the project, exactly as a user types it, with `env` (plus PATH and a HOME of `home`). */
export function npmStart(home: string, env: Record<string, string>): BuiltServer {
  return watch(spawn('npm', ['start'], { cwd: PROJECT_ROOT, env: childEnv(home, env), detached: true, stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** `npm run cli -- <args>` in the project, as README shows it. */
export function npmCli(home: string, env: Record<string, string>, args: string[]): SpawnSyncReturns<string> {
  return spawnSync('npm', ['run', 'cli', '--', ...args], { cwd: PROJECT_ROOT, env: childEnv(home, env), encoding: 'utf8', timeout: 60_000 });
}

/** The file `npm start` runs, started directly in `cwd` (for what depends on the working directory, such as `.env`). */
export function runBuiltEntry(cwd: string, env: Record<string, string>): BuiltServer {
  return watch(spawn(process.execPath, [BUILT_MAIN], { cwd, env: childEnv(cwd, env), detached: true, stdio: ['ignore', 'pipe', 'pipe'] }));
}

export async function waitForHealth(port: number, server: BuiltServer, timeoutMs = 20_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (server.child.exitCode !== null) throw new Error(`server exited early:\n${server.output()}`);
    try {
      return await fetch(`http://127.0.0.1:${port}/healthz`);
    } catch {
      if (Date.now() > deadline) throw new Error(`server did not answer in ${timeoutMs} ms:\n${server.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export interface NpmServer {
  server: BuiltServer;
  base: string;
  port: number;
  home: string;
  dataDir: string;
  /** Stops the process group and waits for it. */
  stop: () => Promise<void>;
}

/**
 * `npm start` on a free loopback port with a fresh HOME and DATA_DIR, answering /healthz: the
 * admin token from the test app and the fake CLIs, unless `env` says otherwise.
 */
export async function startNpmServer(env: Record<string, string> = {}, home = makeDataDir()): Promise<NpmServer> {
  const port = await freePort();
  const dataDir = path.join(home, 'data');
  const server = npmStart(home, {
    ADMIN_BOOTSTRAP_TOKEN: ADMIN_TOKEN,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    CLAUDE_BIN: path.join(FAKE_CLI_DIR, 'claude'),
    ACPX_BIN: path.join(FAKE_CLI_DIR, 'acpx'),
    ...(env.DATABASE_URL === undefined ? await sharedClusterDatabase(dataDir) : {}),
    ...env,
  });
  const stop = async () => {
    server.stop();
    await server.exited;
  };
  try {
    await waitForHealth(port, server);
  } catch (error) {
    server.stop('SIGKILL');
    throw error;
  }
  return { server, base: `http://127.0.0.1:${port}`, port, home, dataDir, stop };
}
