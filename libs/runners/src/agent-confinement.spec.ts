import * as path from 'node:path';
import { ConfigError, loadConfig } from '@clawdforge/core';
import { AgentConfinement, SESSION_TOOLS } from './agent-confinement';
import { FakeProcessRunner } from './testing';

/** A process runner whose every command exits with `exitCode`, recording what was asked. */
function runnerExiting(exitCode: number) {
  return { runner: new FakeProcessRunner().answerWith({ exitCode }) };
}

const config = (env: Record<string, string> = {}) =>
  loadConfig({ ADMIN_BOOTSTRAP_TOKEN: 'a'.repeat(24), DATA_DIR: '/srv/cf/data', CLAUDE_CONFIG_DIR: '/home/cf/.claude', CLAUDE_BIN: '/opt/claude', ...env }, '/srv/cf');

describe('AgentConfinement', () => {
  it('runs claude --restricted, with deny rules over the login, uploads, database and acpx state, hooks and bypass off', async () => {
    const { runner } = runnerExiting(0);
    const confinement = await AgentConfinement.create(config(), runner);
    expect(runner.commands).toEqual([]);
    const [restricted, settings] = confinement.runArgs('/srv/cf/data/runs/r1');
    expect(restricted).toBe('--restricted');
    const parsed = JSON.parse(settings.replace(/^--settings=/, '')) as { permissions: { deny: string[]; disableBypassPermissionsMode: string }; disableAllHooks: boolean; sandbox?: unknown };
    expect(parsed.permissions.deny).toEqual(
      expect.arrayContaining([
        'Read(//home/cf/.claude/**)',
        'Edit(//home/cf/.claude/**)',
        'Read(//srv/cf/data/files/**)',
        'Read(//srv/cf/data/clawdforge.db)',
        'Read(//srv/cf/data/clawdforge.db-wal)',
        'Read(//srv/cf/data/acpx-home/**)',
        'Edit(//srv/cf/data/runs/r1/.claude/**)',
        'Edit(//srv/cf/data/runs/r1/.acpxrc.json)',
        'Read(//proc/**)',
      ]),
    );
    // The agent's own directory is never denied: only what lies beside or above it.
    expect(parsed.permissions.deny.some((rule) => rule.startsWith('Read(//srv/cf/data/runs'))).toBe(false);
    expect(parsed).toMatchObject({ disableAllHooks: true, permissions: { disableBypassPermissionsMode: 'disable' } });
    expect(parsed.sandbox).toBeUndefined();
  });

  it.each([
    ['deny-all', '--deny-all', ''],
    ['approve-reads', '--deny-all', 'Read,Grep,Glob'],
  ])('under SESSION_PERMISSIONS=%s: acpx answers %s, and the session claude has tools "%s" through the wrapper', async (permissions, acpx, tools) => {
    const confinement = await AgentConfinement.create(config({ SESSION_PERMISSIONS: permissions }), runnerExiting(0).runner);
    expect(confinement.acpxPermissions()).toBe(acpx);
    const env = confinement.sessionEnv('/srv/cf/data/acpx-cwds/s1');
    expect(env.CLAUDE_CODE_EXECUTABLE).toBe(path.resolve(__dirname, '..', 'bin', 'claude-confined'));
    expect(env.CLAWDFORGE_CLAUDE_BIN).toBe('/opt/claude');
    const lines = env.CLAWDFORGE_CLAUDE_ARGS.split('\n');
    expect(lines.slice(0, 2)).toEqual(['--restricted', `--tools=${tools}`]);
    expect(lines.at(-1)).toBe('--disable-slash-commands');
    expect(JSON.parse(lines[2].replace(/^--settings=/, ''))).not.toHaveProperty('sandbox');
    expect(confinement.status()).toEqual({ file_tools: 'restricted', session_permissions: permissions, shell_sandbox: 'not_needed', unsandboxed_agents: false });
    expect(() => confinement.assertServable()).not.toThrow();
  });

  it('gives approve-all a shell only inside Claude Code’s OS sandbox, seeing nothing but system directories and its own', async () => {
    const { runner } = runnerExiting(0);
    const confinement = await AgentConfinement.create(config({ SESSION_PERMISSIONS: 'approve-all' }), runner);
    expect(runner.commands).toEqual(['bwrap', 'socat']);
    expect(confinement.acpxPermissions()).toBe('--approve-all');
    const lines = confinement.sessionEnv('/srv/cf/data/acpx-cwds/s1').CLAWDFORGE_CLAUDE_ARGS.split('\n');
    expect(lines[1]).toBe(`--tools=${SESSION_TOOLS['approve-all']}`);
    expect(JSON.parse(lines[2].replace(/^--settings=/, '')).sandbox).toEqual({
      enabled: true,
      failIfUnavailable: true,
      allowUnsandboxedCommands: false,
      autoAllowBashIfSandboxed: true,
      filesystem: {
        denyRead: ['/'],
        allowRead: ['/usr', '/bin', '/sbin', '/lib', '/lib64', '/etc', '/dev', '/srv/cf/data/acpx-cwds/s1'],
        allowWrite: ['/srv/cf/data/acpx-cwds/s1'],
        denyWrite: ['/srv/cf/data/acpx-cwds/s1/.claude', '/srv/cf/data/acpx-cwds/s1/.acpxrc.json', '/srv/cf/data/acpx-cwds/s1/.mcp.json'],
      },
    });
    expect(confinement.status()).toMatchObject({ shell_sandbox: 'bwrap', unsandboxed_agents: false });
    expect(() => confinement.assertServable()).not.toThrow();
  });

  it('refuses to serve approve-all without an OS sandbox, unless ALLOW_UNSANDBOXED_AGENTS=1, and says so', async () => {
    const refused = await AgentConfinement.create(config({ SESSION_PERMISSIONS: 'approve-all' }), runnerExiting(1).runner);
    expect(() => refused.assertServable()).toThrow(ConfigError);
    expect(() => refused.assertServable()).toThrow(/SESSION_PERMISSIONS is approve-all.*ALLOW_UNSANDBOXED_AGENTS=1/);
    const optedOut = await AgentConfinement.create(config({ SESSION_PERMISSIONS: 'approve-all', ALLOW_UNSANDBOXED_AGENTS: '1' }), runnerExiting(1).runner);
    expect(() => optedOut.assertServable()).not.toThrow();
    expect(optedOut.status()).toMatchObject({ shell_sandbox: 'none', unsandboxed_agents: true });
  });
});
