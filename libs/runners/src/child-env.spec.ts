import { buildChildEnv } from './child-env';

describe('buildChildEnv', () => {
  const source = {
    PATH: '/usr/bin',
    HOME: '/home/cf',
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    TMPDIR: '/tmp',
    ANTHROPIC_API_KEY: 'sk-ant-x',
    ANTHROPIC_BASE_URL: 'http://127.0.0.1:1',
    CLAUDE_CONFIG_DIR: '/data/claude',
    CLAUDE_CODE_USE_BEDROCK: '1',
    DISABLE_AUTOUPDATER: '1',
    ACPX_HOME: '/x',
    IS_SANDBOX: '1',
    HTTPS_PROXY: 'http://proxy:3128',
    no_proxy: 'localhost',
    NODE_EXTRA_CA_CERTS: '/etc/ca.pem',
    ADMIN_BOOTSTRAP_TOKEN: 'secret-admin-token-000000000',
    DATABASE_PATH: '/data/clawdforge.db',
    AWS_SECRET_ACCESS_KEY: 'aws',
    NODE_OPTIONS: '--require /tmp/evil.js',
    LD_PRELOAD: '/tmp/evil.so',
    SHELL: '/bin/bash',
    MY_APP_PASSWORD: 'pw',
  };

  it('keeps the allowlist and the CLI families, drops everything else', () => {
    expect(Object.keys(buildChildEnv(source)).sort()).toEqual(
      [
        'ACPX_HOME',
        'ANTHROPIC_API_KEY',
        'ANTHROPIC_BASE_URL',
        'CLAUDE_CODE_USE_BEDROCK',
        'CLAUDE_CONFIG_DIR',
        'DISABLE_AUTOUPDATER',
        'HOME',
        'HTTPS_PROXY',
        'IS_SANDBOX',
        'LANG',
        'LC_ALL',
        'NODE_EXTRA_CA_CERTS',
        'PATH',
        'TMPDIR',
        'no_proxy',
      ].sort(),
    );
  });

  it('applies overrides last, an undefined override removing the variable', () => {
    const env = buildChildEnv(source, { HOME: '/data/acpx-home', CLAUDE_CODE_MAX_RETRIES: '2', ANTHROPIC_API_KEY: undefined });
    expect(env.HOME).toBe('/data/acpx-home');
    expect(env.CLAUDE_CODE_MAX_RETRIES).toBe('2');
    expect(env).not.toHaveProperty('ANTHROPIC_API_KEY');
  });

  it('does not change its source', () => {
    const copy = { ...source };
    buildChildEnv(source, { HOME: '/elsewhere' });
    expect(source).toEqual(copy);
  });
});
