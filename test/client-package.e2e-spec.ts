import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { PROJECT_ROOT } from './support/built-server';
import { startTestApp, TestApp } from './support/test-app';

const CLIENT_DIR = path.join(PROJECT_ROOT, 'clients', 'typescript');
const TSC = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsc');

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Asynchronously: the server answering the child lives in this same process. */
function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function ok(command: string, args: string[], cwd: string, env?: Record<string, string>): Promise<string> {
  const ran = await run(command, args, cwd, env);
  if (ran.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${ran.code}:\n${ran.stdout}\n${ran.stderr}`);
  return ran.stdout;
}

const ESM_SCRIPT = `
import { Clawdforge, ClawdforgeError } from '@clawdforge/client';
const cf = new Clawdforge({ baseUrl: process.env.CLAWDFORGE_URL, token: process.env.CLAWDFORGE_TOKEN });
const run = await cf.run({ prompt: 'from esm' });
const error = await cf.run({ prompt: 'x', model: '--bad' }).catch((e) => e);
console.log(JSON.stringify({ result: run.result, error: error instanceof ClawdforgeError ? error.code : String(error) }));
`;

const CJS_SCRIPT = `
const { Clawdforge } = require('@clawdforge/client');
const cf = new Clawdforge({ baseUrl: process.env.CLAWDFORGE_URL, token: process.env.CLAWDFORGE_TOKEN });
cf.run({ prompt: 'from cjs' }).then((run) => console.log(JSON.stringify({ result: run.result })));
`;

/** `await using` as a TypeScript user writes it, compiled for Node 20 (which has no native `using`). */
const USING_SCRIPT = `
import { Clawdforge, type SessionState } from '@clawdforge/client';

const cf = new Clawdforge({ baseUrl: process.env.CLAWDFORGE_URL!, token: process.env.CLAWDFORGE_TOKEN! });
let id = '';
let inside: SessionState['status'] | undefined;
{
  await using session = await cf.newSession();
  id = session.id;
  inside = (await session.state()).status;
}
const after = (await cf.getSession(id).state()).status;
console.log(JSON.stringify({ inside, after }));
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['ES2023', 'DOM', 'esnext.disposable'],
    // A Node project has @types/node; this one borrows the repository's.
    typeRoots: [path.join(PROJECT_ROOT, 'node_modules', '@types')],
    types: ['node'],
    skipLibCheck: true,
    strict: true,
    outDir: 'out',
  },
  files: ['using.mts'],
};

/**
 * Loads the package's CommonJS build in a fresh realm that has no Symbol.asyncDispose (as on Node
 * before 20.4 or an older browser), and answers what the SDK left defined there.
 */
function loadInRealmWithoutAsyncDispose(cjsDir: string): { symbolType: string; sessionDisposes: boolean } {
  const realm = vm.createContext({});
  const cache = new Map<string, { exports: Record<string, unknown> }>();
  const load = (file: string): Record<string, unknown> => {
    const cached = cache.get(file);
    if (cached) return cached.exports;
    const module = { exports: {} as Record<string, unknown> };
    cache.set(file, module);
    const wrapped = vm.runInContext(`(function (exports, require, module) {${fs.readFileSync(file, 'utf8')}\n})`, realm) as (
      exports: unknown,
      require: (id: string) => unknown,
      module: unknown,
    ) => void;
    wrapped(module.exports, (id) => load(path.resolve(path.dirname(file), id)), module);
    return module.exports;
  };
  if (vm.runInContext('typeof Symbol.asyncDispose', realm) !== 'undefined') throw new Error('the fresh realm already has Symbol.asyncDispose');
  const { Session } = load(path.join(cjsDir, 'index.js')) as { Session: { prototype: object } };
  const symbol = vm.runInContext('Symbol.asyncDispose', realm) as symbol;
  return {
    symbolType: vm.runInContext('typeof Symbol.asyncDispose', realm) as string,
    sessionDisposes: typeof (Session.prototype as Record<symbol, unknown>)[symbol] === 'function',
  };
}

/** `npm pack` of clients/typescript, installed into a separate project as a user would, against the server. */
describe('the @clawdforge/client package', () => {
  let t: TestApp;
  let env: Record<string, string>;
  let project: string;

  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    env = { CLAWDFORGE_URL: `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`, CLAWDFORGE_TOKEN: await t.mintToken('packaged') };

    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'clawdforge-sdk-package-'));
    await ok('npm', ['pack', '--pack-destination', work], CLIENT_DIR);
    const tarball = fs.readdirSync(work).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error('npm pack made no tarball');
    project = path.join(work, 'project');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'sdk-user', private: true }));
    await ok('npm', ['install', '--offline', '--no-audit', '--no-fund', path.join(work, tarball)], project);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    if (project) fs.rmSync(path.dirname(project), { recursive: true, force: true });
  });

  it('ships an ESM build and a CommonJS build, each with its types, and its README, and nothing else', () => {
    const installed = path.join(project, 'node_modules', '@clawdforge', 'client');
    const manifest = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8'));
    expect(manifest.exports['.']).toEqual({
      import: { types: './dist/esm/index.d.ts', default: './dist/esm/index.js' },
      require: { types: './dist/cjs/index.d.ts', default: './dist/cjs/index.js' },
    });
    expect(JSON.parse(fs.readFileSync(path.join(installed, 'dist', 'esm', 'package.json'), 'utf8'))).toEqual({ type: 'module' });
    expect(fs.readdirSync(installed).sort()).toEqual(['README.md', 'dist', 'package.json']);
    expect(fs.readdirSync(path.join(installed, 'dist', 'esm')).filter((file) => file.endsWith('.spec.js'))).toEqual([]);
  });

  it('is imported as ESM and runs a prompt, failures as ClawdforgeError', async () => {
    fs.writeFileSync(path.join(project, 'esm.mjs'), ESM_SCRIPT);
    expect(JSON.parse(await ok(process.execPath, ['esm.mjs'], project, env))).toEqual({ result: 'You said: from esm', error: 'invalid_request' });
  });

  it('is required as CommonJS and runs a prompt', async () => {
    fs.writeFileSync(path.join(project, 'cjs.cjs'), CJS_SCRIPT);
    expect(JSON.parse(await ok(process.execPath, ['cjs.cjs'], project, env))).toEqual({ result: 'You said: from cjs' });
  });

  it('compiles `await using session = …` against the packaged types, and the block closes the session', async () => {
    fs.writeFileSync(path.join(project, 'using.mts'), USING_SCRIPT);
    fs.writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify(TSCONFIG));
    await ok(TSC, ['-p', 'tsconfig.json'], project);
    expect(JSON.parse(await ok(process.execPath, [path.join('out', 'using.mjs')], project, env))).toEqual({ inside: 'open', after: 'closed' });
  }, 60_000);

  it('defines Symbol.asyncDispose where the runtime lacks it, so sessions still dispose', () => {
    const cjsDir = path.join(project, 'node_modules', '@clawdforge', 'client', 'dist', 'cjs');
    expect(loadInRealmWithoutAsyncDispose(cjsDir)).toEqual({ symbolType: 'symbol', sessionDisposes: true });
  });
});
