import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from './config-error';
import { loadConfig } from './load-config';

const ADMIN = 'a'.repeat(24);

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig({ ADMIN_BOOTSTRAP_TOKEN: ADMIN, ...env }, '/srv/cf');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('loadConfig accepted the configuration');
}

describe('loadConfig', () => {
  it('fills every default from SPEC.md', () => {
    const config = loadConfig({ ADMIN_BOOTSTRAP_TOKEN: ADMIN }, '/srv/cf');
    expect(config).toMatchObject({
      server: { port: 8800, host: '0.0.0.0', adminToken: ADMIN, allowCidrs: [], trustProxy: false, logLevel: 'info' },
      paths: { dataDir: '/srv/cf/data', filesDir: '/srv/cf/data/files', runsDir: '/srv/cf/data/runs', sessionsCwd: '/srv/cf/data/acpx-cwds' },
      database: { path: '/srv/cf/data/clawdforge.db', url: null },
      models: { default: 'sonnet', allowlist: [], aliases: {} },
      sweeper: { intervalSecs: 60 },
      sessions: { ttlSecs: 3600, hardTtlSecs: 86400 },
    });
  });

  it('reads CLAUDE_CONFIG_DIRS as labelled logins, the first serving sessions; one default login without it', () => {
    const config = loadConfig({ ADMIN_BOOTSTRAP_TOKEN: ADMIN, CLAUDE_CONFIG_DIRS: 'main=/srv/a, logins/b' }, '/srv/cf');
    expect(config.logins).toEqual([
      { label: 'main', dir: '/srv/a' },
      { label: 'login2', dir: '/srv/cf/logins/b' },
    ]);
    expect(config.logins[0].dir).toBe('/srv/a');
    expect(loadConfig({ ADMIN_BOOTSTRAP_TOKEN: ADMIN, CLAUDE_CONFIG_DIR: '/srv/one' }).logins).toEqual([{ label: 'default', dir: '/srv/one' }]);
    for (const bad of ['a=/x,a=/y', '/x,/x', 'bad label=/x', 'x=']) {
      expect(() => loadConfig({ ADMIN_BOOTSTRAP_TOKEN: ADMIN, CLAUDE_CONFIG_DIRS: bad })).toThrow(/CLAUDE_CONFIG_DIRS/);
    }
  });

  it('takes a postgres:// DATABASE_URL, and refuses anything else by name', () => {
    expect(loadConfig({ ADMIN_BOOTSTRAP_TOKEN: ADMIN }).database.url).toBeNull();
    expect(loadConfig({ ADMIN_BOOTSTRAP_TOKEN: ADMIN, DATABASE_URL: 'postgres://cf:pw@db:5432/cf' }).database.url).toBe('postgres://cf:pw@db:5432/cf');
    expect(loadConfig({ ADMIN_BOOTSTRAP_TOKEN: ADMIN, DATABASE_URL: 'postgresql://db/cf' }).database.url).toBe('postgresql://db/cf');
    for (const bad of ['mysql://db/cf', 'not a url', 'sqlite:///x.db']) {
      const error = configError({ DATABASE_URL: bad });
      expect(error.message).toMatch(/DATABASE_URL/);
      expect(error.message).not.toContain('pw');
    }
  });

  it('defaults the CLIs to the project’s own pinned binaries', () => {
    const config = loadConfig({ ADMIN_BOOTSTRAP_TOKEN: ADMIN });
    expect(config.clis.claudeBin).toBe(path.resolve(__dirname, '../../../../node_modules/.bin/claude'));
    expect(config.clis.acpxBin).toBe(path.resolve(__dirname, '../../../../node_modules/.bin/acpx'));
    expect(config.clis.claudeAcpBin).toBe(path.resolve(__dirname, '../../../../node_modules/.bin/claude-agent-acp'));
    // Set, it is taken as given (a bare name is looked up on PATH by acpx).
    expect(loadConfig({ ADMIN_BOOTSTRAP_TOKEN: ADMIN, CLAUDE_ACP_BIN: '/opt/acp/claude-agent-acp' }).clis.claudeAcpBin).toBe('/opt/acp/claude-agent-acp');
    expect(loadConfig({ ADMIN_BOOTSTRAP_TOKEN: ADMIN, CLAUDE_ACP_BIN: 'claude-agent-acp' }).clis.claudeAcpBin).toBe('claude-agent-acp');
  });

  it('derives state paths from DATA_DIR unless each is set', () => {
    const config = loadConfig({ ADMIN_BOOTSTRAP_TOKEN: ADMIN, DATA_DIR: '/var/lib/cf', FILES_DIR: 'uploads' }, '/srv/cf');
    expect(config.database.path).toBe('/var/lib/cf/clawdforge.db');
    expect(config.paths.filesDir).toBe('/srv/cf/uploads');
    expect(config.paths.runsDir).toBe('/var/lib/cf/runs');
  });

  it('canonicalises ALLOW_CIDRS and TRUST_PROXY lists', () => {
    const config = loadConfig({ ADMIN_BOOTSTRAP_TOKEN: ADMIN, ALLOW_CIDRS: ' 10.1.2.3/8, fd00::/8 ,192.168.0.5', TRUST_PROXY: '172.17.0.1' });
    expect(config.server.allowCidrs).toEqual(['10.0.0.0/8', 'fd00::/8', '192.168.0.5/32']);
    expect(config.server.trustProxy).toEqual(['172.17.0.1/32']);
  });

  it.each([
    ['off', false],
    ['false', false],
    ['', false],
    ['2', 2],
  ])('TRUST_PROXY=%p → %p on a loopback listener', (value, expected) => {
    expect(loadConfig({ ADMIN_BOOTSTRAP_TOKEN: ADMIN, TRUST_PROXY: value, HOST: '127.0.0.1' }).server.trustProxy).toEqual(expected);
  });

  it.each(['0.0.0.0', '::', '10.0.0.5', '::127.0.0.1', '0:0:0:0:0:0:127.0.0.1'])('refuses a TRUST_PROXY hop count on HOST=%s, where any peer could claim any address', (host) => {
    expect(() => loadConfig({ ADMIN_BOOTSTRAP_TOKEN: ADMIN, TRUST_PROXY: '1', HOST: host })).toThrow(/TRUST_PROXY is a hop count .* name the proxies/);
    expect(loadConfig({ ADMIN_BOOTSTRAP_TOKEN: ADMIN, TRUST_PROXY: '10.0.0.1', HOST: host }).server.trustProxy).toEqual(['10.0.0.1/32']);
  });

  it('reads the admin token from ADMIN_BOOTSTRAP_TOKEN_FILE (a Docker secret), never from both', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-secret-'));
    const file = path.join(dir, 'admin');
    fs.writeFileSync(file, `${ADMIN}\n`);
    expect(loadConfig({ ADMIN_BOOTSTRAP_TOKEN_FILE: file }).server.adminToken).toBe(ADMIN);
    expect(() => loadConfig({ ADMIN_BOOTSTRAP_TOKEN_FILE: file, ADMIN_BOOTSTRAP_TOKEN: ADMIN })).toThrow(/set one of them/);
    expect(() => loadConfig({ ADMIN_BOOTSTRAP_TOKEN_FILE: path.join(dir, 'missing') })).toThrow(/ADMIN_BOOTSTRAP_TOKEN_FILE names a file that cannot be read \(ENOENT\)/);
    fs.writeFileSync(file, 'short\n');
    expect(() => loadConfig({ ADMIN_BOOTSTRAP_TOKEN_FILE: file })).toThrow(/at least 24/);
  });

  it('has per-token caps and an audit retention by default', () => {
    expect(loadConfig({ ADMIN_BOOTSTRAP_TOKEN: ADMIN })).toMatchObject({
      runs: { queueMaxPerToken: 16 },
      sessions: { maxOpenPerToken: 4 },
      files: { maxPerToken: 200, maxTotalBytesPerToken: 512 * 1024 * 1024 },
      sweeper: { auditRetentionDays: 90 },
    });
  });

  it.each([
    [{ ADMIN_BOOTSTRAP_TOKEN: '' }, 'ADMIN_BOOTSTRAP_TOKEN'],
    [{ ADMIN_BOOTSTRAP_TOKEN: 'short' }, 'ADMIN_BOOTSTRAP_TOKEN'],
    [{ ADMIN_BOOTSTRAP_TOKEN: 'has a space in it 0123456789' }, 'ADMIN_BOOTSTRAP_TOKEN'],
    [{ PORT: 'http' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ PORT: '-1' }, 'PORT'],
    [{ ALLOW_CIDRS: '10.0.0.0/8,10.0.0.0/33' }, 'ALLOW_CIDRS'],
    [{ TRUST_PROXY: 'everyone' }, 'TRUST_PROXY'],
    [{ DEFAULT_MODEL: '--dangerously-skip-permissions' }, 'DEFAULT_MODEL'],
    [{ MODEL_ALLOWLIST: 'sonnet,gpt-4' }, 'MODEL_ALLOWLIST'],
    [{ MODEL_ALLOWLIST: 'haiku', DEFAULT_MODEL: 'sonnet' }, 'DEFAULT_MODEL'],
    [{ MODEL_ALIASES: 'gpt-4o' }, 'MODEL_ALIASES'],
    [{ MODEL_ALIASES: 'gpt-4o=--dangerously-skip-permissions' }, 'MODEL_ALIASES'],
    [{ MODEL_ALIASES: 'sonnet=opus' }, 'MODEL_ALIASES'],
    [{ MODEL_ALIASES: 'gpt-4o=sonnet,gpt-4o=haiku' }, 'MODEL_ALIASES'],
    [{ MODEL_ALIASES: '__proto__=sonnet' }, 'MODEL_ALIASES'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ CLAWDFORGE_SWEEP_INTERVAL_SECS: '0' }, 'CLAWDFORGE_SWEEP_INTERVAL_SECS'],
    [{ CLAWDFORGE_SESSION_TTL_SECS: '1.5' }, 'CLAWDFORGE_SESSION_TTL_SECS'],
    [{ CLAWDFORGE_SESSION_TTL_SECS: '0' }, 'CLAWDFORGE_SESSION_TTL_SECS'],
    [{ CLAWDFORGE_SESSION_HARD_TTL_SECS: '0' }, 'CLAWDFORGE_SESSION_HARD_TTL_SECS'],
  ])('%p fails naming %s in one line', (env, variable) => {
    const error = configError(env);
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(variable);
    expect(error.message).not.toContain('\n');
  });

  it('maps other APIs’ model names to ours with MODEL_ALIASES', () => {
    expect(loadConfig({ ADMIN_BOOTSTRAP_TOKEN: 'a'.repeat(32), MODEL_ALIASES: 'gpt-4o=sonnet, gpt-4o-mini=claude-haiku-4-5' }).models.aliases).toEqual({
      'gpt-4o': 'sonnet',
      'gpt-4o-mini': 'claude-haiku-4-5',
    });
  });

  it('never echoes the admin token in its error', () => {
    expect(configError({ ADMIN_BOOTSTRAP_TOKEN: 'secret12' }).message).not.toContain('secret12');
  });

  it('reads a missing admin token as required, unless the caller (the admin CLI) does without', () => {
    expect(() => loadConfig({})).toThrow('ADMIN_BOOTSTRAP_TOKEN is required');
    expect(loadConfig({}, '/srv/cf', { adminTokenRequired: false }).server.adminToken).toBeNull();
    expect(() => loadConfig({ ADMIN_BOOTSTRAP_TOKEN: 'short' }, '/srv/cf', { adminTokenRequired: false })).toThrow('at least 24');
  });

  it('takes sweeper settings from 1 second, with one warning for all those under a minute', () => {
    const config = loadConfig({ ADMIN_BOOTSTRAP_TOKEN: ADMIN, CLAWDFORGE_SESSION_TTL_SECS: '2', CLAWDFORGE_SESSION_HARD_TTL_SECS: '1', CLAWDFORGE_SWEEP_INTERVAL_SECS: '1' });
    expect(config).toMatchObject({ sessions: { ttlSecs: 2, hardTtlSecs: 1 }, sweeper: { intervalSecs: 1 } });
    expect(config.warnings).toEqual([expect.stringContaining('CLAWDFORGE_SWEEP_INTERVAL_SECS=1, CLAWDFORGE_SESSION_TTL_SECS=2, CLAWDFORGE_SESSION_HARD_TTL_SECS=1')]);
    expect(loadConfig({ ADMIN_BOOTSTRAP_TOKEN: ADMIN, CLAWDFORGE_SESSION_TTL_SECS: '60' }).warnings).toEqual([]);
  });
});
