import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { Clawdforge } from '@clawdforge/client';
import { startTestApp, TestApp } from './support/test-app';

/** The clients page, whose marked snippets are run here as written. */
const CLIENTS_DOC = fs.readFileSync(path.join(__dirname, '..', 'docs', 'clients.md'), 'utf8');
const ACPX = path.join(__dirname, '..', 'node_modules', '.bin', 'acpx');
const FAKE_AGENT = `${process.execPath} ${path.join(__dirname, 'fixtures', 'fake-acp-agent', 'agent.mjs')}`;

function snippet(name: string): string {
  const match = new RegExp(`<!-- readme-snippet:${name} -->\\n\`\`\`\\w+\\n([\\s\\S]*?)\`\`\``).exec(CLIENTS_DOC);
  if (!match) throw new Error(`docs/clients.md has no ${name} snippet`);
  return match[1];
}

/** The client snippets of docs/clients.md, run as written against the server (fake claude; acpx with the fake agent as "claude"). */
describe('the client snippets of docs/clients.md', () => {
  let t: TestApp;
  let env: { CLAWDFORGE_URL: string; CLAWDFORGE_TOKEN: string };

  beforeAll(async () => {
    t = await startTestApp({ ACPX_BIN: ACPX, SESSION_AGENT_COMMANDS: `claude=${FAKE_AGENT}` });
    await t.app.listen(0, '127.0.0.1');
    env = { CLAWDFORGE_URL: `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`, CLAWDFORGE_TOKEN: await t.mintToken('readme') };
  });
  afterAll(() => t.close());

  it('runs the TypeScript snippet', async () => {
    const file = path.join(__dirname, `.readme-snippet-${process.pid}.ts`);
    fs.writeFileSync(file, snippet('typescript'));
    Object.assign(process.env, env);
    try {
      const { main } = (await import(file)) as { main: () => Promise<string[]> };
      const out = await main();
      expect(out[0]).toBe(JSON.stringify('You said: Reply with JSON: {"hello": "world"}'));
      expect(out.slice(1, -1).join('')).toBe('You said: Write a haiku about rice.');
      expect(out.at(-1)).toBe('echo: Help me draft a SQL migration. (turn 1)');
    } finally {
      fs.rmSync(file, { force: true });
      delete process.env.CLAWDFORGE_URL;
      delete process.env.CLAWDFORGE_TOKEN;
    }
  });

  it('runs the Python snippet with the standard library and clients/python', async () => {
    // Asynchronously: the server answering it lives in this same process.
    const python = spawn('python3', ['-c', snippet('python')], { env: { PATH: process.env.PATH, PYTHONPATH: path.join(__dirname, '..', 'clients', 'python'), PYTHONDONTWRITEBYTECODE: '1', ...env } });
    let stdout = '';
    let stderr = '';
    python.stdout.on('data', (chunk) => (stdout += chunk));
    python.stderr.on('data', (chunk) => (stderr += chunk));
    const status = await new Promise((resolve) => python.on('close', resolve));
    expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
    expect(stdout.split('\n')).toEqual([
      'You said: Reply with JSON: {"hello": "world"}',
      'You said: Write a haiku about rice.',
      'echo: Help me draft a SQL migration. (turn 1)',
      '400 invalid_request model',
      '',
    ]);
  });

  /** What each language's three calls see, against this server: fake claude, the fake agent as "claude". */
  const THREE_CALLS = [
    JSON.stringify('You said: Reply with JSON: {"hello": "world"}'),
    'echo: Help me draft a SQL migration. (turn 1)',
    'echo: Postgres 16, table users, add column tier. (turn 2)',
    JSON.stringify('You said: What is on the list?'),
  ];

  it('runs the TypeScript three calls', async () => {
    const file = path.join(__dirname, `.readme-snippet-${process.pid}-three-calls.ts`);
    fs.writeFileSync(file, snippet('three-calls-typescript'));
    try {
      const { threeCalls } = (await import(file)) as { threeCalls: (cf: Clawdforge) => Promise<string[]> };
      expect(await threeCalls(new Clawdforge({ baseUrl: env.CLAWDFORGE_URL, token: env.CLAWDFORGE_TOKEN }))).toEqual(THREE_CALLS);
    } finally {
      fs.rmSync(file, { force: true });
    }
  }, 120_000);

  it('runs the Python three calls', async () => {
    const script = `${snippet('three-calls-python')}\nimport os\nprint(json.dumps(three_calls(Clawdforge(os.environ["CLAWDFORGE_URL"], os.environ["CLAWDFORGE_TOKEN"]))))\n`;
    const python = spawn('python3', ['-c', script], { env: { PATH: process.env.PATH, PYTHONPATH: path.join(__dirname, '..', 'clients', 'python'), PYTHONDONTWRITEBYTECODE: '1', ...env } });
    let stdout = '';
    let stderr = '';
    python.stdout.on('data', (chunk) => (stdout += chunk));
    python.stderr.on('data', (chunk) => (stderr += chunk));
    const status = await new Promise((resolve) => python.on('close', resolve));
    expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
    expect(JSON.parse(stdout)).toEqual(THREE_CALLS);
  }, 120_000);
});
