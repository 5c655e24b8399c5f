import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AppConfig } from '@clawdforge/core';
import { ClaudeStateDirs, CliNotFoundError, ProcessResult, ProcessRunner, ProcessRunOptions } from '@clawdforge/runners';
import { probeClaudeLogin as probe } from './claude-login';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clawdforge-login-probe-'));
const config = { clis: { claudeBin: '/opt/claude' }, logins: [{ label: 'default', dir: '/home/cf/.claude' }] } as Pick<AppConfig, 'clis' | 'logins'>;
const state = new ClaudeStateDirs({ paths: { claudeStateDir: path.join(dataDir, 'claude-state') } } as AppConfig);
const probeClaudeLogin = (runner: ProcessRunner) => probe(runner, config, state);

/** A process runner answering every command with `result`, recording what was asked. */
function runnerAnswering(result: Partial<ProcessResult> | Error) {
  const calls: { command: string; options: ProcessRunOptions }[] = [];
  const runner = {
    run: async (command: string, options: ProcessRunOptions) => {
      calls.push({ command, options });
      if (result instanceof Error) throw result;
      return { outcome: 'exited', exitCode: 0, signal: null, stdout: '', stderr: '', durationMs: 1, ...result } as ProcessResult;
    },
  } as unknown as ProcessRunner;
  return { runner, calls };
}

// What claude 2.1.331 prints, trimmed to the fields that matter here.
const LOGGED_OUT = JSON.stringify({ loggedIn: false, authMethod: 'none', apiProvider: 'firstParty', loginExpiresAt: null }, null, 2);
const CLAUDE_AI = JSON.stringify(
  { loggedIn: true, authMethod: 'claude.ai', apiProvider: 'firstParty', loginExpiresAt: '2026-12-24T10:00:00.000Z', email: 'someone@example.com', subscriptionType: 'max' },
  null,
  2,
);

describe('probeClaudeLogin', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('runs `auth status --json` with the children’s environment, the login directory as its credential store and a state of its own, removed after', async () => {
    process.env.ANTHROPIC_API_KEY = 'sk-ant-from-env';
    process.env.ADMIN_BOOTSTRAP_TOKEN = 'server-secret';
    process.env.CLAUDE_CONFIG_DIR = '/somewhere/else';
    const { runner, calls } = runnerAnswering({ stdout: LOGGED_OUT, exitCode: 1 });
    await probeClaudeLogin(runner);
    expect(calls).toHaveLength(1);
    expect(calls[0].command).toBe('/opt/claude');
    expect(calls[0].options.args).toEqual(['auth', 'status', '--json']);
    const own = path.join(dataDir, 'claude-state', 'probes', 'default');
    expect(calls[0].options.env).toMatchObject({ ANTHROPIC_API_KEY: 'sk-ant-from-env', CLAUDE_CONFIG_DIR: own, CLAUDE_SECURESTORAGE_CONFIG_DIR: '/home/cf/.claude' });
    expect(calls[0].options.env).not.toHaveProperty('ADMIN_BOOTSTRAP_TOKEN');
    expect(fs.existsSync(own)).toBe(false);
  });

  it('reads a logged-out answer from its JSON, though the CLI exits 1', async () => {
    const { runner } = runnerAnswering({ stdout: LOGGED_OUT, exitCode: 1 });
    expect(await probeClaudeLogin(runner)).toEqual({ loggedIn: false, method: null, expiresAt: null });
  });

  it('keeps the method and the expiry of a login, and nothing else', async () => {
    const { runner } = runnerAnswering({ stdout: CLAUDE_AI });
    expect(await probeClaudeLogin(runner)).toEqual({ loggedIn: true, method: 'claude.ai', expiresAt: '2026-12-24T10:00:00.000Z' });
  });

  it.each([
    ['not JSON', { stdout: 'Segmentation fault', exitCode: 139 }, /said nothing about a login \(exited, exit 139\)/],
    ['JSON without loggedIn', { stdout: '{"type":"result"}' }, /said nothing about a login/],
    ['a timeout', { stdout: '', outcome: 'timeout', exitCode: null, signal: 'SIGKILL' }, /\(timeout, exit SIGKILL\)/],
  ] as const)('reports %s as not logged in, saying why', async (_case, result, problem) => {
    const { runner } = runnerAnswering(result as Partial<ProcessResult>);
    expect(await probeClaudeLogin(runner)).toEqual({ loggedIn: false, method: null, expiresAt: null, problem: expect.stringMatching(problem) });
  });

  it('never throws, not even for a missing CLI', async () => {
    const { runner } = runnerAnswering(new CliNotFoundError('/opt/claude'));
    expect(await probeClaudeLogin(runner)).toMatchObject({ loggedIn: false, problem: 'claude CLI is not installed or not executable' });
  });
});
